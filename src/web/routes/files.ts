/**
 * Bytes from the store: artifacts (info with a preview kind, raw content, a table of a CSV's first
 * rows) and whole logs. Content is streamed, never held whole. Raw content is served sandboxed
 * (CSP `sandbox`): an HTML report or an SVG a step wrote runs in an opaque origin, never as the UI.
 */
import { Readable } from 'node:stream';
import type { Context, Hono } from 'hono';
import { ExitCode, FlowctlError } from '../../errors.js';
import { contentDisposition } from '../content-disposition.js';
import { previewByName, previewBySniff } from '../preview.js';
import type { ArtifactView } from '../shared/types.js';
import { tablePreview } from '../table-preview.js';
import type { WebDeps } from './deps.js';
import { attemptOf, streamOf, taskOf } from './task-ref.js';
import type { Artifact } from '../../client/index.js';

const SNIFF_BYTES = 8192;

/** GET /api/artifact, /api/artifact/raw, /api/artifact/table, /api/logs/raw (the task in the query). */
export function fileRoutes(app: Hono, deps: WebDeps): void {
  const { all } = deps;
  const artifactOf = async (c: Context): Promise<Artifact> => {
    const path = c.req.query('path');
    if (!path) throw new FlowctlError('USAGE', 'Missing query parameter "path" (the artifact\'s path in the task)', { exitCode: ExitCode.Usage });
    return (await taskOf(c, all)).artifact(path);
  };

  app.get('/api/artifact', async (c) => {
    const artifact = await artifactOf(c);
    const info = await artifact.info();
    const kind = info.type === 'dir' ? { preview: 'dir' as const, contentType: 'application/octet-stream' } : await kindOf(artifact);
    const view: ArtifactView = { ...info, ...kind };
    return c.json(view);
  });

  app.get('/api/artifact/raw', async (c) => {
    const artifact = await artifactOf(c);
    const info = await artifact.info();
    if (info.type === 'dir') throw new FlowctlError('ARTIFACT_IS_DIR', `${info.pathspec} is a directory: download its files one by one`, { exitCode: ExitCode.Usage });
    const { preview, contentType } = await kindOf(artifact);
    const head = Number(c.req.query('head') ?? '') || undefined;
    const name = info.path.split('/').pop() ?? 'artifact';
    const headers: Record<string, string> = {
      'Content-Type': contentType,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': preview === 'html' ? 'sandbox allow-scripts allow-popups' : 'sandbox',
      'Cache-Control': 'private, max-age=31536000, immutable', // addressed by content: the bytes never change
      'Content-Disposition': contentDisposition(c.req.query('download') ? 'attachment' : 'inline', name),
    };
    if (!head) headers['Content-Length'] = String(info.size);
    return new Response(webStream(head ? limitBytes(artifact.stream(), head) : artifact.stream()), { headers });
  });

  app.get('/api/artifact/table', async (c) => {
    const artifact = await artifactOf(c);
    const delimiter = c.req.query('delimiter') ?? (/\.(tsv|tab)$/i.test(artifact.path) ? '\t' : ',');
    return c.json(await tablePreview(artifact.stream(), delimiter));
  });

  app.get('/api/logs/raw', async (c) => {
    const task = await taskOf(c, all);
    const stream = streamOf(c);
    const attempt = await task.attempt(attemptOf(c));
    const name = `${task.run.id}-${task.step.name}-${task.id}-attempt${attempt.number}.${stream}.log`;
    return new Response(webStream(attempt.logStream(stream)), {
      headers: {
        'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff',
        'Content-Disposition': contentDisposition(c.req.query('download') ? 'attachment' : 'inline', name),
      },
    });
  });
}

async function kindOf(artifact: Artifact): Promise<{ preview: ArtifactView['preview']; contentType: string }> {
  const byName = previewByName(artifact.path);
  if (byName) return byName;
  const parts: Buffer[] = [];
  let n = 0;
  const s = artifact.stream();
  try {
    for await (const chunk of s) {
      parts.push(chunk as Buffer);
      n += (chunk as Buffer).length;
      if (n >= SNIFF_BYTES) break;
    }
  } finally {
    s.destroy();
  }
  return previewBySniff(Buffer.concat(parts).subarray(0, SNIFF_BYTES));
}

/** The first `max` bytes of a stream (a text preview of a large file). */
function limitBytes(source: Readable, max: number): Readable {
  return Readable.from((async function* () {
    let left = max;
    try {
      for await (const chunk of source) {
        const b = chunk as Buffer;
        yield left >= b.length ? b : b.subarray(0, left);
        left -= b.length;
        if (left <= 0) return;
      }
    } finally {
      source.destroy();
    }
  })(), { objectMode: false });
}

function webStream(r: Readable): ReadableStream<Uint8Array> {
  return Readable.toWeb(r) as unknown as ReadableStream<Uint8Array>;
}
