/**
 * A set of sha256 hashes in one Buffer: the first 16 bytes of each hash in an open-addressing
 * table (linear probing). A JS Set of 1,000,000 64-character hex strings costs well over
 * 100 MB; this costs 16 bytes a slot: 32 MiB for a million hashes (48 MiB for a moment while it
 * doubles). 128 bits keep it exact in practice: two different objects of one store sharing a
 * prefix is a 2^-128 event per pair.
 */
const KEY_BYTES = 16;
const MAX_LOAD = 0.7;

export class CompactHashSet {
  private table: Buffer;
  private slots: number;
  private count = 0;
  /** The all-zero prefix marks an empty slot, so it is kept aside. */
  private hasZero = false;

  /** `expected`: how many hashes to size for (it grows past that as needed). */
  constructor(expected = 1024) {
    this.slots = 1 << Math.max(4, Math.ceil(Math.log2(expected / MAX_LOAD + 1)));
    this.table = Buffer.alloc(this.slots * KEY_BYTES);
  }

  get size(): number {
    return this.count + (this.hasZero ? 1 : 0);
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.table.length;
  }

  /** @throws Error for anything but 64 hex digits (lowercase or not). */
  add(hash: string): void {
    const key = prefixOf(hash);
    if (isZero(key)) {
      this.hasZero = true;
      return;
    }
    if ((this.count + 1) / this.slots > MAX_LOAD) this.grow();
    if (this.insert(this.table, this.slots, key)) this.count++;
  }

  has(hash: string): boolean {
    const key = prefixOf(hash);
    if (isZero(key)) return this.hasZero;
    const mask = this.slots - 1;
    for (let i = key.readUInt32BE(0) & mask; ; i = (i + 1) & mask) {
      const at = i * KEY_BYTES;
      if (isZeroAt(this.table, at)) return false;
      if (key.compare(this.table, at, at + KEY_BYTES) === 0) return true;
    }
  }

  private insert(table: Buffer, slots: number, key: Buffer): boolean {
    const mask = slots - 1;
    for (let i = key.readUInt32BE(0) & mask; ; i = (i + 1) & mask) {
      const at = i * KEY_BYTES;
      if (isZeroAt(table, at)) {
        key.copy(table, at);
        return true;
      }
      if (key.compare(table, at, at + KEY_BYTES) === 0) return false;
    }
  }

  private grow(): void {
    const slots = this.slots * 2;
    const table = Buffer.alloc(slots * KEY_BYTES);
    for (let at = 0; at < this.table.length; at += KEY_BYTES) {
      if (!isZeroAt(this.table, at)) this.insert(table, slots, this.table.subarray(at, at + KEY_BYTES));
    }
    this.table = table;
    this.slots = slots;
  }
}

function prefixOf(hash: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(hash)) throw new Error(`not a sha256 hash: ${JSON.stringify(hash)}`);
  return Buffer.from(hash.slice(0, KEY_BYTES * 2), 'hex');
}

function isZero(key: Buffer): boolean {
  return isZeroAt(key, 0);
}

function isZeroAt(buf: Buffer, at: number): boolean {
  // Two 64-bit reads: the hot path of every lookup.
  return buf.readBigUInt64LE(at) === 0n && buf.readBigUInt64LE(at + 8) === 0n;
}
