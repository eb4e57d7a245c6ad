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
import { parseRecord, type Shape } from '../store/record-check.js';
import { keys, type RunRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { checkTagList } from '../store/tag-rule.js';

export interface TagsFile {
  formatVersion: 1;
  added: string[];
  removed: string[];
  updatedAt: string;
}

export function tagsDir(flow: string): string {
  return `${keys.flowDir(flow)}/tags`;
}

export function tagsKey(flow: string, runId: string): string {
  return `${tagsDir(flow)}/${runId}.json`;
}

/** Run ids of a flow that have a tags file: one listing instead of a read per run. */
export async function runsWithTagEdits(store: Store, flow: string): Promise<Set<string>> {
  return new Set((await store.backend.list(tagsDir(flow))).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length)));
}

/** Tags edits are lists of strings: anything else is a damaged file. */
const tagsShape: Shape = (t) => {
  for (const k of ['added', 'removed']) {
    const v = t[k];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) return `${k} is not a list of tags`;
  }
  return undefined;
};

/** The run's tags edits; undefined when there are none. @throws DamagedRecordError (STORE_CORRUPT) when the file cannot be read. */
export async function readTagsFile(store: Store, flow: string, runId: string): Promise<TagsFile | undefined> {
  const text = await store.backend.getText(tagsKey(flow, runId));
  if (text === undefined) return undefined;
  const t = parseRecord<Partial<TagsFile>>(tagsKey(flow, runId), text, tagsShape, store.location);
  return { formatVersion: 1, added: arr(t.added), removed: arr(t.removed), updatedAt: String(t.updatedAt ?? '') };
}

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
  const file = (await readTagsFile(store, run.flow, run.runId)) ?? { formatVersion: 1 as const, added: [], removed: [], updatedAt: '' };
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
  await store.backend.putText(tagsKey(run.flow, run.runId), `${JSON.stringify(next, null, 2)}\n`);
  return mergeTags(run.tags, next);
}

function arr(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
