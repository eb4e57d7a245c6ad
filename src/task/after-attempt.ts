/**
 * What flowctl checks once an attempt's process has ended, before it reads anything back from
 * the task directory: that the directory is still the one it made (not a symlink a task put
 * in its place), and what the task did to its staged files (staged-files.ts). Both can fail
 * an attempt that exited 0; neither lets a change made by the task reach the store.
 */
import type { AttemptRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Scratch, ScratchPool } from './scratch-pool.js';
import { checkStagedFiles, inputDamageReason, type StagedFile } from './staged-files.js';

export interface AfterAttempt {
  /** Damaged inputs: another attempt would only find them gone from the store. */
  final: boolean;
  /** The slot is still the directory flowctl made (nothing in it is read otherwise). */
  intact: boolean;
  /** Hashes of the staged objects found with changed content; undefined when the check itself failed. */
  changed?: string[];
}

/**
 * Check the slot and the staged files after the attempt; marks `record` failed (with the reason)
 * on a problem. `sharedWith(hash)` names the other attempts that had an object staged during
 * this one: a change to an object they shared is reported as theirs as much as this attempt's.
 */
export async function inspectAttempt(
  store: Store, pool: ScratchPool, slot: Scratch, inputs: StagedFile[], record: AttemptRecord, sharedWith?: (hash: string) => string[],
): Promise<AfterAttempt> {
  const intact = pool.intact(slot);
  let damage: string | undefined;
  let changed: string[] | undefined;
  try {
    const problems = await checkStagedFiles(store, slot.work, [...pool.stagedCode(slot), ...inputs], { linksReachable: intact });
    if (problems.length > 0) record.inputProblems = problems;
    changed = problems.filter((p) => p.changed === 'content').map((p) => p.hash);
    damage = inputDamageReason(problems, store.damagedObjectsQuarantined, sharedWith);
  } catch (e) {
    // An input that cannot be checked cannot be vouched for either.
    damage = `could not check the staged inputs after the attempt: ${(e as Error).message}`;
  }
  const moved = intact ? undefined : 'replaced its task directory with a symlink (or moved it): nothing is read or collected through it';
  const reason = damage ?? moved;
  if (reason !== undefined) {
    if (record.state === 'succeeded') {
      record.state = 'failed';
      record.reason = reason;
    } else {
      record.reason = record.reason ? `${reason}; ${record.reason}` : reason;
    }
  }
  return { final: damage !== undefined, intact, changed };
}
