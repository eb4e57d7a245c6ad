/** Who a run belongs to: one rule for `flowctl run` and the client API. */
import os from 'node:os';

/** The user runs are recorded under: FLOWCTL_USER, else the OS user. */
export function currentUser(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.FLOWCTL_USER?.trim();
  if (fromEnv) return fromEnv;
  try {
    return os.userInfo().username || env.USER || 'unknown';
  } catch {
    return env.USER || 'unknown';
  }
}

/** `namespace`, else `production` with --production, else `user:<user>`. */
export function resolveNamespace(opts: { namespace?: string; production?: boolean; user: string }): string {
  if (opts.namespace) return opts.namespace;
  if (opts.production) return 'production';
  return `user:${opts.user}`;
}
