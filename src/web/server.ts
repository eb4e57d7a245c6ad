/** `flowctl ui`'s server: binds, prints where it listens, and serves until stopped. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { createAdaptorServer } from '@hono/node-server';
import { ClientContext } from '../client/index.js';
import { ExitCode, FlowctlError } from '../errors.js';
import { defaultAppDir } from './app-dir.js';
import { createApp } from './app.js';
import { isLoopback } from './auth.js';
import { SnapshotCache } from './snapshot-cache.js';

export interface UiServerOptions {
  /** The store to read, and the namespace lists start filtered on (null: all). */
  ctx: ClientContext;
  /** Address to bind (default 127.0.0.1); any non-loopback address requires a token. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The token to require (default: a random one when host is not loopback). */
  token?: string;
  /** The built app (default: dist/web/app next to this module). */
  appDir?: string;
  /** How often live streams poll the store, ms (default 250). */
  pollMs?: number;
}

export interface UiServer {
  /** The address to open: carries `?token=` when one is required. */
  url: string;
  /** The address on this machine: 127.0.0.1 when bound to every interface, else `url`. */
  localUrl: string;
  port: number;
  token: string | null;
  close(): Promise<void>;
}

/**
 * Starts the UI server; resolves once it listens.
 * @throws FlowctlError PORT_IN_USE / BIND_FAILED (exit 2) when it cannot listen there
 */
export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = isLoopback(host) ? (opts.token ?? null) : (opts.token ?? randomBytes(24).toString('base64url'));
  let port = opts.port ?? 0;
  // A missing store is an error now, not at the first page. Finished runs' records are kept in
  // memory: the runs page over 1,000 runs then reads one listing and the tag files, not 1,000 records.
  const all = new ClientContext({ store: await opts.ctx.store(), namespace: null, cacheFinishedRuns: true });
  const app = createApp({
    all, namespace: opts.ctx.namespace, version: packageVersion(), cache: new SnapshotCache(), pollMs: opts.pollMs ?? 250,
    token, port: () => port, appDir: opts.appDir ?? defaultAppDir(),
  });
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new FlowctlError(e.code === 'EADDRINUSE' ? 'PORT_IN_USE' : 'BIND_FAILED',
      e.code === 'EADDRINUSE' ? `Port ${port} on ${host} is in use` : `Cannot listen on ${host}:${port}: ${e.message}`,
      { exitCode: ExitCode.Usage, hint: e.code === 'EADDRINUSE' ? 'Pass another --port, or --port 0 for a free one.' : undefined })));
    server.listen(port, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const wildcard = host === '0.0.0.0' || host === '::';
  const shown = wildcard ? os.hostname() : host.includes(':') ? `[${host}]` : host;
  const q = token ? `/?token=${token}` : '/';
  return {
    url: `http://${shown}:${port}${q}`,
    localUrl: wildcard ? `http://127.0.0.1:${port}${q}` : `http://${shown}:${port}${q}`,
    port,
    token,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      // Live streams never end on their own: cut them so close() does not wait for the browser.
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    }),
  };
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
