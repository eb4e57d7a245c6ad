/** Which executor kinds this flowctl can run here (cheap to import: `validate` asks it). */
import type { ExecutorKind } from './port.js';

/** Why an executor kind cannot run here, with what to do instead; undefined when it can. */
export function unavailableReason(kind: ExecutorKind): { message: string; hint: string } | undefined {
  switch (kind) {
    case 'local':
      return undefined;
    case 'container':
      return {
        message: 'container steps (image:) are not supported by this version of flowctl',
        hint: 'remove image: to run the step on this machine',
      };
    case 'batch':
      return {
        message: 'the AWS Batch executor (executor: batch) is not available in this version of flowctl',
        hint: 'remove executor: batch (or set executor: local) to run the step on this machine',
      };
  }
}

