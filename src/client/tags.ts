/**
 * Tags added or removed after a run started live in their own small file per run,
 * `flows/<flow>/tags/<run-id>.json`, never in run.json: a live run rewrites run.json on every
 * heartbeat from its in-memory record, which would silently drop an edit made there. The
 * file is replaced whole and atomically (temp + rename locally, one PUT on S3); readers
 * merge it with run.json's `tags`:
 *
 *   effective = (run.json tags − removed) ∪ added      (order: run.json's, then added)
 *
 * One directory per flow rather than a file in each run's directory: listing it tells which
 * runs have edits, so `show FLOW` over 1,000 runs reads 1,000 run.json files and only the tag
 * files that exist (on S3: one LIST instead of 1,000 GETs).
 *
 * Two `flowctl tag` commands racing on the same run: the last writer wins (the loser's edit
 * is lost, never half-written). Run records are never touched.
 */
import { ExitCode, FlowctlError } from '../errors.js';
import type { RunRecord, TagsFile } from '../store/records.js';
import type { Store } from '../store/store.js';
import { checkTagList } from '../store/tag-rule.js';

export type { TagsFile } from '../store/records.js';


export function mergeTags(runTags: readonly string[], file: TagsFile | undefined): string[] {
  if (!file) return [...new Set(runTags)];
  const removed = new Set(file.removed);
  return [...new Set([...runTags.filter((t) => !removed.has(t)), ...file.added])];
}

/** @throws FlowctlError BAD_TAG (exit 2) for no tags or an invalid one (src/store/tag-rule.ts). */
export function checkTags(tags: readonly string[]): void {
  if (tags.length === 0) throw new FlowctlError('BAD_TAG', 'No tags given', { exitCode: ExitCode.Usage, hint: 'Give one or more tags, e.g. `flowctl tag add RUN best`.' });
  checkTagList(tags);
}

/** Apply an edit and write tags.json; returns the run's effective tags afterwards. */
export async function editTags(store: Store, run: RunRecord, edit: { add?: readonly string[]; remove?: readonly string[] }): Promise<string[]> {
  const file = (await store.readTagEdits(run.flow, run.runId)) ?? { formatVersion: 1 as const, added: [], removed: [], updatedAt: '' };
  const added = new Set(file.added);
  const removed = new Set(file.removed);
  for (const t of edit.add ?? []) {
    removed.delete(t);
    if (!run.tags.includes(t)) added.add(t);
  }
  for (const t of edit.remove ?? []) {
    added.delete(t);
    if (run.tags.includes(t)) removed.add(t);
  }
  const next: TagsFile = { formatVersion: 1, added: [...added], removed: [...removed], updatedAt: new Date().toISOString() };
  await store.writeTagEdits(run.flow, run.runId, next);
  return mergeTags(run.tags, next);
}
