/**
 * Which executor kinds this flowctl can run here (cheap to import: `validate` asks it). A
 * container step needs a container runtime that works, found by probing podman and docker
 * (once per process, and only for flows that have container steps).
 */
import type { ExecutorKind } from './port.js';

/** What the run is set up with, as far as executors care. */
export interface ExecutorSetup {
  /** The datastore asked for (`--datastore` or FLOWCTL_DATASTORE); undefined: a local `.flowctl/`. */
  datastore?: string;
}

/** Why an executor kind cannot run here, with what to do instead; undefined when it can. */
export async function unavailableReason(kind: ExecutorKind, setup: ExecutorSetup = {}): Promise<{ message: string; hint: string } | undefined> {
  switch (kind) {
    case 'local':
      return undefined;
    case 'container': {
      const { detectRuntime } = await import('./container/runtime.js');
      const d = await detectRuntime();
      return 'problem' in d ? d.problem : undefined;
    }
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
