/**
 * What fsck found wrong, one problem per damaged or missing thing (an object referenced by a
 * thousand tasks is one problem with `references: 1000`). Problems are passed on as they are
 * found (the command prints each at once) and kept for the summary and `--json`, up to a cap.
 */

/**
 * - `damaged-object`: its bytes do not hash to its name;
 * - `missing-object`: a record or manifest names an object the store does not have;
 * - `damaged-record`: a record, manifest or index entry that cannot be read or has the wrong shape;
 * - `missing-record`: a record something points at is absent (a run's code snapshot, the run of a
 *   tag edit or of a run-index entry);
 * - `dangling-cache-entry`: a cache entry a run could not reuse (damaged, or its task or one of
 *   that task's outputs is missing or damaged).
 */
export type FsckProblemKind = 'damaged-object' | 'missing-object' | 'damaged-record' | 'missing-record' | 'dangling-cache-entry';

export interface FsckProblem {
  kind: FsckProblemKind;
  /** The store key of what is wrong (`objects/sha256/…`, `flows/…/task.json`, `cache/tasks/…`). */
  key: string;
  /** One line, naming the key and why. */
  message: string;
  /** The object's hash (object problems). */
  hash?: string;
  /** The first record or manifest found pointing at it. */
  referencedBy?: string;
  /** The output's or file's path there. */
  path?: string;
  /** How many references to it were met. */
  references?: number;
  /** What `--repair` did about it. */
  repaired?: 'quarantined' | 'dropped';
}

/** How many problems are kept for the report (all are counted and passed to `onProblem`). */
export const KEPT_PROBLEMS = 10_000;

export class ProblemSink {
  readonly kept: FsckProblem[] = [];
  readonly counts: Record<FsckProblemKind, number> = {
    'damaged-object': 0, 'missing-object': 0, 'damaged-record': 0, 'missing-record': 0, 'dangling-cache-entry': 0,
  };
  omitted = 0;

  constructor(private readonly onProblem?: (p: FsckProblem) => void) {}

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  /** Count, keep (under the cap) and pass on a problem; returns it so a later reference can add to it. */
  add(p: FsckProblem): FsckProblem {
    this.counts[p.kind]++;
    if (this.kept.length < KEPT_PROBLEMS) this.kept.push(p);
    else this.omitted++;
    this.onProblem?.(p);
    return p;
  }
}
