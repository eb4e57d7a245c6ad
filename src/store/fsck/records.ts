/**
 * fsck's pass over the keys: every record read once and checked for its shape (the same checks
 * the readers make, record-check.ts), and every reference it holds followed through the shared
 * ReferenceWalker (outputs, directory manifests, code snapshots and their files). Cache entries
 * are judged afterwards (cache-entries.ts), against what this pass learnt.
 */
import { StringDecoder } from 'node:string_decoder';
import { isDamagedRecord, isKeySegment } from '../record-check.js';
import type { KeyKind } from '../key-layout.js';
import { keys, type OutputEntry } from '../records.js';
import { ReferenceWalker, type Reference } from '../references.js';
import type { Store } from '../store.js';
import type { ObjectLedger } from './objects.js';
import type { ProblemSink } from './problems.js';

export class RecordChecker {
  private readonly walker: ReferenceWalker;
  /** Directory outputs with a file missing or damaged (few): a cache entry pointing at one is dangling. */
  readonly badDirs = new Set<string>();
  /** Code snapshots with a file missing or damaged (few): `--repair` drops them, so the next run writes them whole. */
  readonly badCode = new Set<string>();
  /** Runs named by tag edits and the runs index, checked once the keys are done (one per run at most). */
  private readonly runRefs: Array<{ key: string; flow: string; runId: string; what: string }> = [];
  checked = 0;

  constructor(private readonly store: Store, private readonly ledger: ObjectLedger, private readonly sink: ProblemSink) {
    this.walker = new ReferenceWalker(store);
  }

  /** Check one key by what it holds (logs, locks and unknown keys are left alone). */
  async check(key: string, k: KeyKind): Promise<void> {
    const s = this.store;
    switch (k.kind) {
      case 'run':
        return this.read(key, async () => {
          const run = await s.readRun(k.flow, k.runId);
          if (run?.codeHash) await this.code(run.codeHash, key);
        });
      case 'events':
        return this.read(key, () => this.events(key));
      case 'task':
        return this.read(key, async () => this.outputs((await s.readTask(k.flow, k.runId, k.step, k.taskId))?.outputs, key));
      case 'attempt':
        return this.read(key, async () => this.outputs((await s.readAttempt(k.flow, k.runId, k.step, k.taskId, k.attempt))?.outputs, key));
      case 'attempt-spec':
        return this.read(key, async () => {
          const spec = await s.readAttemptSpec(k.flow, k.runId, k.step, k.taskId, k.attempt);
          const inputs: unknown[] = Array.isArray(spec?.inputs) ? spec.inputs : [];
          for (const input of inputs) await this.outputs([(input as { entry?: OutputEntry } | null)?.entry as OutputEntry], key);
        });
      case 'job-array':
        return this.read(key, () => s.readJobArray(k.flow, k.runId, k.arrayId));
      case 'tags':
        return this.read(key, async () => {
          if (await s.readTagEdits(k.flow, k.runId)) this.runRefs.push({ key, flow: k.flow, runId: k.runId, what: 'tag edits' });
        });
      case 'run-index':
        return this.read(key, async () => {
          const text = await s.maintenance.readKey(key);
          if (text === undefined) return;
          const flow = text.trim();
          if (!isKeySegment(flow)) return this.damaged(key, `${JSON.stringify(text.slice(0, 40))} is not a flow name`);
          this.runRefs.push({ key, flow, runId: k.runId, what: 'runs index entry' });
        });
      case 'code':
        return this.read(key, () => this.code(k.hash, key));
      case 'cache-secret':
        return this.read(key, () => s.readCacheSecret());
      default:
    }
  }

  /** The runs that tag edits and index entries name must exist. */
  async finish(): Promise<void> {
    for (const r of this.runRefs) {
      const exists = await this.store.readRun(r.flow, r.runId).then((run) => run !== undefined, (e) => isDamagedRecord(e));
      if (!exists) {
        this.sink.add({ kind: 'missing-record', key: r.key, message: `missing record ${keys.run(r.flow, r.runId)}: named by the ${r.what} ${r.key}` });
      }
    }
  }

  /** Whether every object of these outputs is intact (a directory's files too). */
  async outputs(outputs: OutputEntry[] | undefined, from: string): Promise<boolean> {
    if (outputs !== undefined && !Array.isArray(outputs)) {
      this.damaged(from, 'outputs is not a list');
      return false;
    }
    let all = true;
    for (const o of outputs ?? []) {
      // attempt.json and spec.json are not shape-checked down to their outputs by their readers.
      if (!isOutputEntry(o)) {
        this.damaged(from, `an output entry is not {path, type: file|dir, sha256 hash, size}: ${String(JSON.stringify(o)).slice(0, 120)}`);
        all = false;
        continue;
      }
      let ok = true;
      for await (const r of this.walker.output(o, from)) ok = (await this.follow(r)) && ok;
      if (o.type === 'dir' && !ok) this.badDirs.add(o.hash);
      all = all && ok && !this.badDirs.has(o.hash);
    }
    return all;
  }

  private async code(hash: string, from: string): Promise<void> {
    let ok = true;
    for await (const r of this.walker.code(hash, from)) ok = (await this.follow(r)) && ok;
    if (!ok) this.badCode.add(hash);
  }

  /** Whether what a reference points at is there and intact; a problem the walk met is reported here. */
  private async follow(r: Reference): Promise<boolean> {
    if (r.kind === 'code') return true;
    if (r.kind === 'object') return (await this.ledger.refer(r.hash, { from: r.from, path: r.path })) === 'intact';
    if (r.key.startsWith('objects/')) {
      // A manifest object that is missing or does not match its hash is the ledger's to report (its reference came first).
      const known = this.ledger.known(r.key.slice(r.key.lastIndexOf('/') + 1));
      if (r.problem === 'missing' || (known && known !== 'intact')) return false;
    }
    if (r.problem === 'missing') this.sink.add({ kind: 'missing-record', key: r.key, message: `missing record ${r.key}: ${r.reason}` });
    else this.damaged(r.key, r.reason);
    return false;
  }

  /** events.ndjson: every whole line is JSON (a line still being appended at the end is not judged). */
  private async events(key: string): Promise<void> {
    const decoder = new StringDecoder('utf8');
    let carry = '';
    let line = 0;
    for await (const chunk of this.store.maintenance.streamKey(key)) {
      const lines = (carry + decoder.write(chunk)).split('\n');
      carry = lines.pop()!;
      for (const text of lines) {
        line++;
        if (text.trim() === '') continue;
        try {
          JSON.parse(text);
        } catch {
          return this.damaged(key, `line ${line} is not valid JSON`);
        }
      }
    }
  }

  /** Read a record; a damaged one is a problem, any other error (the store cannot be read) stops fsck. */
  private async read(key: string, fn: () => Promise<unknown>): Promise<void> {
    this.checked++;
    try {
      await fn();
    } catch (e) {
      if (!isDamagedRecord(e) && (e as { code?: string })?.code !== 'STORE_CORRUPT') throw e;
      if (isDamagedRecord(e)) this.damaged(e.key, e.reason);
      else this.damaged(key, (e as Error).message);
    }
  }

  private damaged(key: string, reason: string): void {
    // Readers' messages start with `<key> is damaged: `; the line names the key once.
    const why = reason.startsWith(`${key} is damaged: `) ? reason.slice(key.length + 13) : reason;
    this.sink.add({ kind: 'damaged-record', key, message: `damaged record ${key}: ${why}` });
  }
}

function isOutputEntry(o: unknown): o is OutputEntry {
  const e = o as Partial<OutputEntry> | null;
  return typeof e === 'object' && e !== null && typeof e.path === 'string' && (e.type === 'file' || e.type === 'dir') &&
    typeof e.hash === 'string' && /^[0-9a-f]{64}$/.test(e.hash);
}
