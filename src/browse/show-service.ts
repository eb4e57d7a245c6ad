/**
 * `flowctl show`: parse the path, check the flags fit it, then print a view (text or JSON),
 * an artifact's content, a directory listing, or save an artifact with `-o`.
 */
import type { Writable } from 'node:stream';
import type { Artifact } from '../client/artifact.js';
import type { ClientContext } from '../client/context.js';
import { parsePathspec } from '../client/pathspec.js';
import type { ArtifactJson, RunFilter, RunStatus } from '../client/types.js';
import { ExitCode, FlowctlError } from '../errors.js';
import { paint, shouldColor } from '../term/table.js';
import { bytes } from './format.js';
import { write } from './io.js';
import { buildView, openArtifact, type ShowView } from './show.js';
import { renderView } from './show-text.js';

export interface ShowOptions {
  path?: string;
  ctx: ClientContext;
  json?: boolean;
  status?: RunStatus[];
  tag?: string[];
  limit?: number;
  /** -o: save the artifact here. */
  output?: string;
  force?: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

export async function runShow(o: ShowOptions): Promise<void> {
  const out = o.stdout ?? process.stdout;
  const err = o.stderr ?? process.stderr;
  const p = parsePathspec(o.path);
  const filters = [o.status?.length && '--status', o.tag?.length && '--tag', o.limit !== undefined && '--limit'].filter(Boolean);
  if (p.kind !== 'flow' && filters.length) throw usage(`${filters.join(', ')} filter the runs of a flow: \`flowctl show FLOW ${filters[0]} …\``);
  if (p.kind !== 'artifact' && o.output) throw usage('-o saves an artifact: give RUN/STEP/TASK/PATH');

  if (p.kind === 'artifact') {
    const { artifact, info } = await openArtifact(o.ctx, p);
    if (o.output) return save(artifact, info, o, out, err);
    if (info.type === 'dir' || o.json) return print({ kind: 'artifact', artifact: info }, o, out);
    return printContent(artifact, out, !!o.force);
  }
  const filter: RunFilter = { status: o.status?.length ? o.status : undefined, tag: o.tag?.length ? o.tag : undefined, limit: o.limit };
  const view = await buildView(o.ctx, p, filter);
  if (!o.json && (view.kind === 'flows' ? view.flows.length : view.kind === 'runs' ? view.runs.length : 1) === 0) {
    const where = o.ctx.namespace === null ? '' : ` in namespace ${o.ctx.namespace}`;
    err.write(`No runs${view.kind === 'runs' ? ` of ${view.flow}` : ''}${filters.length ? ' matching the filters' : ''}${where}.` +
      (o.ctx.namespace === null ? '\n' : ' --all-namespaces shows every namespace\'s runs.\n'));
    return;
  }
  return print(view, o, out);
}

async function print(view: ShowView, o: ShowOptions, out: Writable & { isTTY?: boolean }): Promise<void> {
  const color = shouldColor(out);
  // The DAG is a picture for people: on a terminal only, so pipes and scripts get the table alone.
  const graph = !o.json && view.kind === 'run' && out.isTTY ? await runGraphText(o.ctx, view, color) : undefined;
  const text = o.json ? JSON.stringify(view, null, 2) : renderView(view, { color, graph });
  await write(out, `${text}\n`);
}

async function runGraphText(ctx: ClientContext, view: Extract<ShowView, { kind: 'run' }>, color: boolean): Promise<string> {
  const [{ Run }, { renderRunGraph, runGraph }] = await Promise.all([import('../client/run.js'), import('./run-graph.js')]);
  const run = await Run.resolve(ctx, { flow: view.run.flow, runId: view.run.runId });
  return renderRunGraph(await runGraph(run, { steps: view.steps, compact: true, icons: color }), 'text', { color, title: color ? paint.bold('graph') : 'graph' });
}

/** The content to stdout; binary content is refused on a terminal unless forced. */
async function printContent(artifact: Artifact, out: Writable & { isTTY?: boolean }, force: boolean): Promise<void> {
  const stream = artifact.stream();
  let first = true;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (first && out.isTTY && !force && isBinary(chunk)) {
      stream.destroy();
      throw new FlowctlError('BINARY_TO_TTY', `${artifact.pathspec} looks binary; not printing it to the terminal`, {
        exitCode: ExitCode.Usage,
        hint: 'Save it with -o FILE, pipe it (`… | xxd`), or pass --force to print it anyway.',
      });
    }
    first = false;
    await write(out, chunk);
  }
}

async function save(artifact: Artifact, info: ArtifactJson, o: ShowOptions, out: Writable, err: Writable): Promise<void> {
  const r = await artifact.saveTo(o.output!, { overwrite: o.force });
  if (o.json) return write(out, `${JSON.stringify({ kind: 'saved', artifact: info.pathspec, type: info.type, path: r.path, files: r.files, bytes: r.bytes }, null, 2)}\n`);
  await write(err, `saved ${info.pathspec} to ${r.path} (${info.type === 'dir' ? `${r.files} files, ` : ''}${bytes(r.bytes)})\n`);
}

/** NUL bytes or invalid UTF-8 in the first chunk (a split multi-byte character at its end is fine). */
export function isBinary(chunk: Buffer): boolean {
  const head = chunk.subarray(0, 8192);
  if (head.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return false;
  } catch {
    return true;
  }
}


function usage(message: string): FlowctlError {
  return new FlowctlError('USAGE', message, { exitCode: ExitCode.Usage });
}
