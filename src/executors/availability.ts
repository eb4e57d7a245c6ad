/** Which executor kinds this flowctl can run here (cheap to import: `validate` asks it). */
import type { ExecutorKind } from './port.js';

/** What the run is set up with, as far as executors care. */
export interface ExecutorSetup {
  /** The datastore asked for (`--datastore` or FLOWCTL_DATASTORE); undefined: a local `.flowctl/`. */
  datastore?: string;
}

/** Why an executor kind cannot run here, with what to do instead; undefined when it can. */
export function unavailableReason(kind: ExecutorKind, setup: ExecutorSetup = {}): { message: string; hint: string } | undefined {
  switch (kind) {
    case 'local':
      return undefined;
    case 'container':
      return {
        message: 'container steps (image:) are not supported by this version of flowctl',
        hint: 'remove image: to run the step on this machine',
      };
    case 'batch':
      // A job reads its inputs from and writes its outputs to the store: it must be one both sides reach.
      if (setup.datastore !== undefined && /^s3:\/\//i.test(setup.datastore)) return undefined;
      return {
        message: `AWS Batch jobs need an S3 datastore (they read their inputs and write their outputs there), and this run's store is ${
          setup.datastore === undefined ? 'a local .flowctl/ directory' : `the local path ${setup.datastore}`}`,
        hint: 'pass --datastore s3://BUCKET/PREFIX (or set FLOWCTL_DATASTORE), or run the step here with executor: local (or flowctl run --executor local)',
      };
  }
}
