/**
 * Who may talk to `flowctl ui`. On a loopback address (the default) anyone on this machine may,
 * but only under a loopback Host name: a web page whose DNS name is rebound to 127.0.0.1 sends
 * its own Host and is refused. On any other address a token is required, as Jupyter does: given
 * once in the URL (`?token=…`, printed at start), then kept in an HttpOnly cookie for this port,
 * or sent as `Authorization: Bearer …`. Changes (tagging) must come from the UI's own origin.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export interface AuthOptions {
  /** Required on every request when set. */
  token: string | null;
  port: () => number;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether an address to bind is loopback-only (no token needed). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** 401/403/415 for requests that may not pass (see the module comment); sets the token cookie. */
export function authMiddleware(opts: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    const cookieName = `flowctl-ui-${opts.port()}`;
    if (opts.token === null) {
      const host = (c.req.header('host') ?? '').replace(/:\d+$/, '').toLowerCase();
      if (!LOOPBACK_HOSTS.has(host) && !/^127(\.\d{1,3}){3}$/.test(host)) return deny(c, 403, `Host ${JSON.stringify(host)} is not a loopback name: open the UI at http://127.0.0.1:${opts.port()}/`);
    } else {
      const given = c.req.query('token');
      const bearer = c.req.header('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1];
      const ok = [given, bearer, getCookie(c, cookieName)].some((t) => t !== undefined && same(t, opts.token!));
      if (!ok) return deny(c, 401, 'A token is required: open the URL with ?token=… that `flowctl ui` printed.');
      if (given !== undefined) {
        setCookie(c, cookieName, opts.token, { httpOnly: true, sameSite: 'Strict', path: '/' });
        // Take the token out of the address bar (and of the browser history) once it is in the cookie.
        if (c.req.method === 'GET' && !c.req.path.startsWith('/api/')) {
          const url = new URL(c.req.url);
          url.searchParams.delete('token');
          return c.redirect(`${url.pathname}${url.search}`, 302);
        }
      }
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const origin = c.req.header('origin');
      const host = c.req.header('host');
      if (origin !== undefined && origin !== `http://${host}`) return deny(c, 403, `Requests that change the store must come from the UI itself, not from ${origin}`);
      if (!(c.req.header('content-type') ?? '').startsWith('application/json')) return deny(c, 415, 'Send JSON (Content-Type: application/json)');
    }
    await next();
  };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function deny(c: Context, status: 401 | 403 | 415, message: string): Response {
  if (c.req.path.startsWith('/api/')) return c.json({ error: message, code: status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN' }, status);
  return c.text(`${message}\n`, status);
}
