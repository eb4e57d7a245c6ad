/** Flags every browsing command shares (show, logs, tag …). Kept free of other imports: commands load it eagerly. */
import { Flags } from '@oclif/core';

export const storeFlags = {
  namespace: Flags.string({ char: 'n', description: 'namespace to read (default user:<you>; `production` for --production runs)' }),
  'all-namespaces': Flags.boolean({ char: 'A', description: 'read runs of every namespace', exclusive: ['namespace'] }),
  datastore: Flags.string({ description: 'store location (default: nearest .flowctl/ above the working directory; env FLOWCTL_DATASTORE)' }),
};

export const jsonFlag = {
  json: Flags.boolean({ description: 'print JSON (a stable, documented shape) instead of text' }),
};
