/** The client context a browsing command's flags select. */
import { defaultNamespace } from '../client/config.js';
import { ClientContext } from '../client/context.js';

export function contextFrom(flags: { datastore?: string; namespace?: string; 'all-namespaces'?: boolean }): ClientContext {
  return new ClientContext({
    datastore: flags.datastore,
    namespace: flags['all-namespaces'] ? null : flags.namespace ?? defaultNamespace(),
    cwd: process.cwd(),
  });
}
