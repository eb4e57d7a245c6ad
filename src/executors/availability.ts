/**
 * Which executor kinds this flowctl can run here (cheap to import: `validate` asks it). A
 * container step needs a container runtime that works, found by probing podman and docker
 * (once per process, and only for flows that have container steps).
 */
import type { ExecutorKind } from './port.js';

/** Why an executor kind cannot run here, with what to do instead; undefined when it can. */
export async function unavailableReason(kind: ExecutorKind): Promise<{ message: string; hint: string } | undefined> {
  switch (kind) {
    case 'local':
      return undefined;
    case 'container': {
      const { detectRuntime } = await import('./container/runtime.js');
      const d = await detectRuntime();
      return 'problem' in d ? d.problem : undefined;
    }
    case 'batch':
      return staticReason(kind);
  }
}

/** The reasons that need no probe (kinds this build of flowctl does not have at all). */
export function staticReason(kind: ExecutorKind): { message: string; hint: string } | undefined {
  if (kind !== 'batch') return undefined;
  return {
    message: 'the AWS Batch executor (executor: batch) is not available in this version of flowctl',
    hint: 'remove executor: batch (or set executor: local) to run the step on this machine',
  };
}
