/** `flowctl ui` as a service: start the server, say where it is, open a browser if asked, serve until SIGINT/SIGTERM. */
import type { ClientContext } from '../client/index.js';
import { openBrowser } from './open-browser.js';
import { startUiServer } from './server.js';

export interface ServeOptions {
  ctx: ClientContext;
  host: string;
  /** undefined: the default port, or a free one when it is taken. */
  port?: number;
  open: boolean;
}

/** The port `flowctl ui` tries first. */
export const DEFAULT_PORT = 8642;

/** Serves until SIGINT/SIGTERM. @throws FlowctlError (exit 2) when the store or the address is unusable */
export async function serveUi(opts: ServeOptions): Promise<void> {
  let server;
  try {
    server = await startUiServer({ ctx: opts.ctx, host: opts.host, port: opts.port ?? DEFAULT_PORT });
  } catch (e) {
    if (opts.port !== undefined || (e as { code?: string }).code !== 'PORT_IN_USE') throw e;
    server = await startUiServer({ ctx: opts.ctx, host: opts.host, port: 0 });
  }
  const store = (await opts.ctx.store()).location;
  // stdout carries only the URL (scripts read it); the rest goes to stderr.
  process.stdout.write(`${server.url}\n`);
  process.stderr.write(`flowctl ui: serving ${store} (${opts.ctx.namespace === null ? 'all namespaces' : `namespace ${opts.ctx.namespace}`}); Ctrl-C to stop\n`);
  if (server.localUrl !== server.url) process.stderr.write(`  on this machine: ${server.localUrl}\n`);
  if (server.token) process.stderr.write('  the token in the URL is required by every request (keep it private)\n');
  if (opts.open) openBrowser(server.localUrl);
  // Ctrl-C or SIGTERM is how a server ends: close the connections and exit 0, instead of the
  // entry point's early handler (exit 130, for commands interrupted mid-work).
  const early = (globalThis as { __flowctlEarlySignalHandler?: () => void }).__flowctlEarlySignalHandler;
  if (early) {
    process.off('SIGINT', early);
    process.off('SIGTERM', early);
  }
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
