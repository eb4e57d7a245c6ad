/** fsck's compact set of hashes (src/store/fsck/hash-set.ts): exact membership while it grows, in 16 bytes a hash. */
import { createHash } from 'node:crypto';
import { CompactHashSet } from '../../src/store/fsck/hash-set.js';

const hash = (i: number) => createHash('sha256').update(`object ${i}`).digest('hex');

test('holds exactly what was added, through many doublings', () => {
  const set = new CompactHashSet(4);
  for (let i = 0; i < 50_000; i++) set.add(hash(i));
  set.add(hash(7)); // twice is once
  expect(set.size).toBe(50_000);
  for (let i = 0; i < 50_000; i += 7) expect(set.has(hash(i))).toBe(true);
  for (let i = 50_000; i < 60_000; i++) expect(set.has(hash(i))).toBe(false);
  // 16 bytes a slot, load at most 0.7: a JS Set of the hex strings would take ~10× this.
  expect(set.bytes).toBeLessThanOrEqual(Math.ceil(50_000 / 0.7) * 2 * 16);
});

test('an all-zero prefix (the empty-slot mark) and upper-case hex are still hashes', () => {
  const set = new CompactHashSet();
  const zero = '0'.repeat(32) + 'f'.repeat(32);
  expect(set.has(zero)).toBe(false);
  set.add(zero);
  expect(set.has(zero)).toBe(true);
  expect(set.has('0'.repeat(64))).toBe(true); // same 128-bit prefix
  set.add(hash(1).toUpperCase());
  expect(set.has(hash(1))).toBe(true);
  expect(set.size).toBe(2);
  expect(() => set.add('xyz')).toThrow(/not a sha256 hash/);
});
