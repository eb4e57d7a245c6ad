/**
 * Which running attempts of this process have each store object staged. Staged files are hard
 * links: every attempt that stages an object shares its inode, so when a check finds the
 * object changed it cannot tell which of them wrote to it. This registry lets the finding name
 * every attempt that had the object staged meanwhile instead of blaming the one that looked
 * first. In-process and cheap: a map per object of its current holders (with the sequence
 * number at which each started holding it) and of holders that left, having found it changed,
 * while others still held it.
 */

/** One attempt's hold on the objects it staged; from StagedHolders.hold(). */
export interface StagedHold {
  readonly label: string;
  readonly since: number;
  readonly hashes: readonly string[];
}

interface Entry {
  holders: Map<StagedHold, number>;
  /** Holders gone since the oldest current holder started (older ones cannot matter to anyone). */
  left: Array<{ label: string; at: number }>;
}

export class StagedHolders {
  private seq = 0;
  private readonly byHash = new Map<string, Entry>();

  /** Register `label` (e.g. `fit/3`) as holding every object in `hashes` from now on. */
  hold(label: string, hashes: Iterable<string>): StagedHold {
    const hold: StagedHold = { label, since: ++this.seq, hashes: [...new Set(hashes)] };
    for (const h of hold.hashes) {
      let e = this.byHash.get(h);
      if (!e) this.byHash.set(h, (e = { holders: new Map(), left: [] }));
      e.holders.set(hold, hold.since);
    }
    return hold;
  }

  /** Labels of the other attempts that had `hash` staged at some time since `hold` began, sorted. */
  others(hold: StagedHold, hash: string): string[] {
    const e = this.byHash.get(hash);
    if (!e) return [];
    const out = new Set<string>();
    for (const other of e.holders.keys()) if (other !== hold && other.label !== hold.label) out.add(other.label);
    for (const l of e.left) if (l.at > hold.since && l.label !== hold.label) out.add(l.label);
    return [...out].sort();
  }

  /**
   * End `hold` once its attempt was checked. `changed`: the objects its check found changed; an
   * object it found intact it cannot have written to (its own check would have seen it), so it
   * is not named for a change found later. Undefined (the check did not run): every object.
   */
  release(hold: StagedHold, changed?: Iterable<string>): void {
    const at = ++this.seq;
    const suspect = changed === undefined ? undefined : new Set(changed);
    for (const h of hold.hashes) {
      const e = this.byHash.get(h);
      if (!e || !e.holders.delete(hold)) continue;
      if (e.holders.size === 0) {
        this.byHash.delete(h);
        continue;
      }
      let oldest = Infinity;
      for (const since of e.holders.values()) oldest = Math.min(oldest, since);
      e.left = e.left.filter((l) => l.at > oldest);
      if (!suspect || suspect.has(h)) e.left.push({ label: hold.label, at });
    }
  }
}

/** The process's registry: every attempt runAttempt runs here holds its staged objects in it. */
export const stagedHolders = new StagedHolders();
