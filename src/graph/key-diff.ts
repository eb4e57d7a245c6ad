/**
 * What differs between two tasks' cache keys, part by part, in words (Nextflow's
 * `-dump-hashes` made readable). Pure: both sides come with what the records keep besides the
 * digests (the masked command, the item, the run's params, its code manifest), so a change is
 * named with its old and new value wherever flowctl knows them.
 */
import type { CodeFile } from '../store/manifest.js';
import type { TaskKeyParts } from '../store/records.js';
import { codeDigest, codeFilesSeen } from './cache-key.js';
import type { CodeFileChange, KeyChange, KeyPart } from './cache-status.js';

/** One task's key and what its records say besides. */
export interface KeySide {
  parts: TaskKeyParts;
  /** The rendered command, secrets masked. */
  command?: string | null;
  item?: unknown;
  /** The run's params (secret values `***`). */
  params?: Record<string, unknown>;
  /** The run's code snapshot and flow file; undefined when unknown (its manifest is gone). */
  code?: { files: CodeFile[]; flowFile: string };
  /** The step's `deps:`; null = every project file; undefined = unknown. */
  deps?: string[] | null;
}

const MAX_FILES_IN_TEXT = 5;

/**
 * The changes from `earlier` to `current`, most telling first (command, params, code, inputs,
 * env, …). `inputSources` names the upstream step of each input path where known.
 * @example diffKeys(earlier, current)[0].text // 'param alpha: 0.1 → 0.2'
 */
export function diffKeys(earlier: KeySide, current: KeySide, inputSources: Record<string, string> = {}): KeyChange[] {
  const a = earlier.parts;
  const b = current.parts;
  if (a.v !== b.v) return [change('format', null, 'changed', a.v, b.v, `cache key format v${a.v} → v${b.v} (a newer flowctl)`)];
  const out: KeyChange[] = [];
  if (a.taskId !== b.taskId) out.push(change('task', null, 'changed', a.taskId, b.taskId, `task id ${a.taskId} → ${b.taskId}`));
  if (a.command !== b.command) out.push(commandChange(earlier.command ?? null, current.command ?? null));
  out.push(...paramChanges(a.params, b.params, earlier.params ?? {}, current.params ?? {}));
  if (a.code !== b.code) out.push(codeChange(earlier, current));
  for (const [name, kind] of mapDiff(a.inputs, b.inputs)) {
    const from = inputSources[name] ?? null;
    const c = change('input', name, kind, a.inputs[name] ?? null, b.inputs[name] ?? null, `input ${name} ${kind}${from ? ` (from ${from})` : ''}`);
    out.push({ ...c, step: from });
  }
  for (const [name, kind] of mapDiff(a.env, b.env)) out.push(change('env', name, kind, null, null, `env ${name} ${kind}`));
  if (a.image !== b.image) out.push(change('image', null, 'changed', a.image, b.image, `image: ${a.image ?? 'none (host)'} → ${b.image ?? 'none (host)'}`));
  if (a.shell !== b.shell) out.push(change('shell', null, 'changed', a.shell, b.shell, `shell: ${a.shell} → ${b.shell}`));
  if (a.item !== b.item) {
    const known = earlier.item !== undefined && current.item !== undefined && show(earlier.item) !== show(current.item);
    out.push(change('item', null, a.item === null ? 'added' : b.item === null ? 'removed' : 'changed', earlier.item ?? null, current.item ?? null,
      known ? `item: ${show(earlier.item)} → ${show(current.item)}` : 'item changed'));
  }
  if (a.itemIndex !== b.itemIndex) out.push(change('item-index', null, 'changed', a.itemIndex, b.itemIndex, `item index: ${a.itemIndex ?? 'none'} → ${b.itemIndex ?? 'none'}`));
  // `items` holds every fan-out level's item; with one level (`3`, not `2.1`) it is the item itself, said above.
  const oneLevel = !b.taskId.includes('.') && !a.taskId.includes('.');
  if (a.items !== b.items && !(oneLevel && a.item !== b.item)) {
    out.push(change('items', null, 'changed', null, null, 'the foreach items changed (the step\'s list or an enclosing group\'s)'));
  }
  if (JSON.stringify(a.outputs) !== JSON.stringify(b.outputs)) {
    out.push(change('outputs', null, 'changed', a.outputs, b.outputs, `outputs: [${a.outputs.join(', ')}] → [${b.outputs.join(', ')}]`));
  }
  return out;
}

/**
 * The code files that differ among those a step sees, or null when they cannot be told. Each
 * side's selection is checked against its recorded digest, so a list is only given when it is
 * exactly what the key covered (deps tried: the side's own, the other side's, then all files).
 */
export function codeFileChanges(earlier: KeySide, current: KeySide): { files: CodeFileChange[]; deps: string[] | null } | null {
  const cur = verifiedSelection(current, [current.deps, earlier.deps, null]);
  const old = verifiedSelection(earlier, [earlier.deps, cur?.deps, current.deps, null]);
  if (!cur || !old) return null;
  const before = new Map(old.files.map((f) => [f.path, f]));
  const after = new Map(cur.files.map((f) => [f.path, f]));
  const files: CodeFileChange[] = [];
  for (const [p, f] of after) {
    const e = before.get(p);
    if (!e) files.push({ path: p, change: 'added' });
    else if (e.hash !== f.hash || e.mode !== f.mode) files.push({ path: p, change: 'changed' });
  }
  for (const p of before.keys()) if (!after.has(p)) files.push({ path: p, change: 'removed' });
  files.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return { files, deps: cur.deps };
}

function verifiedSelection(side: KeySide, candidates: Array<string[] | null | undefined>): { files: CodeFile[]; deps: string[] | null } | undefined {
  if (!side.code) return undefined;
  const tried = new Set<string>();
  for (const deps of candidates) {
    if (deps === undefined || tried.has(JSON.stringify(deps))) continue;
    tried.add(JSON.stringify(deps));
    const files = codeFilesSeen(side.code.files, { flowFile: side.code.flowFile, deps: deps ?? undefined });
    if (codeDigest(files) === side.parts.code) return { files, deps };
  }
  return undefined;
}

function codeChange(earlier: KeySide, current: KeySide): KeyChange {
  const found = codeFileChanges(earlier, current);
  const base = change('code', null, 'changed', null, null, '');
  if (!found) return { ...base, text: 'code changed (which files cannot be told: a code snapshot is not in the store)' };
  const { files, deps } = found;
  const names = files.slice(0, MAX_FILES_IN_TEXT).map((f) => `${f.path} ${f.change}`);
  if (files.length > MAX_FILES_IN_TEXT) names.push(`${files.length - MAX_FILES_IN_TEXT} more files`);
  const scope = deps === null ? 'the step sees all project files; narrow with deps:' : `files matching the step's deps: ${deps.join(', ')}`;
  const what = names.length ? names.join(', ') : 'the set of files the step sees changed';
  return { ...base, files, text: `code: ${what} (${scope})` };
}

function commandChange(from: string | null, to: string | null): KeyChange {
  if (from === null || to === null || from === to) {
    // Equal masked commands with different digests: a secret the command holds changed.
    return change('command', null, 'changed', from, to, from !== null && from === to ? 'command changed (a secret in it changed)' : 'command changed');
  }
  const [x, y] = elide(from, to);
  return change('command', null, 'changed', from, to, `command: ${x} → ${y}`);
}

function paramChanges(a: Record<string, string>, b: Record<string, string>, va: Record<string, unknown>, vb: Record<string, unknown>): KeyChange[] {
  return mapDiff(a, b).map(([name, kind]) => {
    const from = name in va ? va[name] : null;
    const to = name in vb ? vb[name] : null;
    if (kind === 'added') return change('param', name, kind, null, to, `param ${name} added${name in vb ? `: ${show(to)}` : ''}`);
    if (kind === 'removed') return change('param', name, kind, from, null, `param ${name} no longer read${name in va ? ` (was ${show(from)})` : ''}`);
    const readable = name in va && name in vb && show(from) !== show(to);
    return change('param', name, kind, from, to, readable ? `param ${name}: ${show(from)} → ${show(to)}` : `param ${name} changed${from === '***' ? ' (secret)' : ''}`);
  });
}

/** Entries of two digest maps that differ, in name order. */
function mapDiff(a: Record<string, string>, b: Record<string, string>): Array<[string, KeyChange['change']]> {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names.flatMap((n): Array<[string, KeyChange['change']]> => {
    if (!(n in a)) return [[n, 'added']];
    if (!(n in b)) return [[n, 'removed']];
    return a[n] === b[n] ? [] : [[n, 'changed']];
  });
}

function change(part: KeyPart, name: string | null, kind: KeyChange['change'], from: unknown, to: unknown, text: string): KeyChange {
  return { part, name, change: kind, from: from ?? null, to: to ?? null, files: null, step: null, text };
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? 'null';
}

const ELIDE_AT = 60;

/** Two long commands cut to the neighbourhood of their first difference. */
function elide(a: string, b: string): [string, string] {
  if (a.length <= ELIDE_AT && b.length <= ELIDE_AT) return [a, b];
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  const start = Math.max(0, p - 20);
  const cut = (s: string) => `${start > 0 ? '…' : ''}${s.slice(start, start + ELIDE_AT)}${s.length > start + ELIDE_AT ? '…' : ''}`;
  return [cut(a), cut(b)];
}
