/**
 * The `flowctl ui` HTTP application: auth, the JSON API, live streams, store bytes, and the
 * single-page app built into dist/web/app. Hono: small, no dependencies of its own, web-standard
 * Request/Response, and server-sent events built in; @hono/node-server runs it on node:http.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { isFlowctlError } from '../errors.js';
import { authMiddleware } from './auth.js';
import { browseRoutes } from './routes/browse.js';
import type { WebDeps } from './routes/deps.js';
import { fileRoutes } from './routes/files.js';
import { liveRoutes } from './routes/live.js';

export interface AppOptions extends WebDeps {
  token: string | null;
  port: () => number;
}

/** The app with every route; errors become JSON (`NOT_FOUND` 404, usage 400, bugs 500 with the stack on stderr). */
export function createApp(opts: AppOptions): Hono {
  const app = new Hono();
  app.use('*', authMiddleware({ token: opts.token, port: opts.port }));
  app.use('/api/*', compress({ contentTypeFilter: /^application\/json/ }));
  browseRoutes(app, opts);
  liveRoutes(app, opts);
  fileRoutes(app, opts);
  app.all('/api/*', (c) => c.json({ error: `No API route ${c.req.method} ${c.req.path}`, code: 'NOT_FOUND' }, 404));

  const built = existsSync(path.join(opts.appDir, 'index.html'));
  app.use('/assets/*', serveStatic({
    root: opts.appDir,
    onFound: (_p, c) => { c.header('Cache-Control', 'public, max-age=31536000, immutable'); },
  }));
  app.get('*', built
    ? serveStatic({ root: opts.appDir, rewriteRequestPath: () => '/index.html', onFound: (_p, c) => { c.header('Cache-Control', 'no-cache'); } })
    : (c) => c.text(`The web app is not built (no ${opts.appDir}/index.html): run \`npm run build\`.\n`, 500));

  app.onError((err, c) => {
    if (isFlowctlError(err)) {
      const status = err.code === 'NOT_FOUND' || err.code === 'NAMESPACE_MISMATCH' ? 404 : err.exitCode === 2 ? 400 : 500;
      return c.json({ error: err.message, code: err.code, hint: err.hint ?? null }, status);
    }
    process.stderr.write(`flowctl ui: ${c.req.method} ${c.req.path}: ${err.stack ?? err}\n`);
    return c.json({ error: err.message, code: 'INTERNAL' }, 500);
  });
  return app;
}
