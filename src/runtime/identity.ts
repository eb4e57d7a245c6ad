/** Who a run belongs to. The user rule lives with the client API, which must agree with it. */
export { currentUser } from '../client/config.js';

export function resolveNamespace(opts: { namespace?: string; production?: boolean; user: string }): string {
  if (opts.namespace) return opts.namespace;
  if (opts.production) return 'production';
  return `user:${opts.user}`;
}
