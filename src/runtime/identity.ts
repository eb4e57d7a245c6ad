import os from 'node:os';

/** The user a run belongs to: FLOWCTL_USER, else the OS user. */
export function currentUser(): string {
  const fromEnv = process.env.FLOWCTL_USER?.trim();
  if (fromEnv) return fromEnv;
  try {
    return os.userInfo().username || process.env.USER || 'unknown';
  } catch {
    return process.env.USER || 'unknown';
  }
}

export function resolveNamespace(opts: { namespace?: string; production?: boolean; user: string }): string {
  if (opts.namespace) return opts.namespace;
  if (opts.production) return 'production';
  return `user:${opts.user}`;
}
