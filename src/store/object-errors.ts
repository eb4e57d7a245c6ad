/** The errors an object read or stage ends in: named by key, saying where a damaged copy went and what to do. */
import { ExitCode, FlowctlError } from '../errors.js';

/** STORE_MISSING_OBJECT (exit 1): the object is not in the store. */
export function missingObject(hash: string, key: string, cause?: unknown): FlowctlError {
  return new FlowctlError('STORE_MISSING_OBJECT', `Object ${hash} is missing from the store (${key})`, {
    exitCode: ExitCode.StepFailed,
    cause,
    hint: 'It may have been quarantined as damaged or removed by hand: re-run the step that produced it (`flowctl run` re-runs it, since its cached result no longer counts).',
  });
}

/** STORE_CORRUPT for an object whose bytes changed after the check that let a read start. */
export function changedWhileRead(key: string, actual: string): FlowctlError {
  return new FlowctlError('STORE_CORRUPT', `Object ${key} is corrupt: its content hashes to ${actual}`, {
    exitCode: ExitCode.StepFailed,
    hint: 'Run the flow again: the step that produced it is re-run (its cached result no longer counts) and writes a good copy.',
  });
}

/** STORE_CORRUPT naming the object, where its damaged copy went, and what to do. */
export function corruptObject(key: string, detail: string, quarantineDir: string): FlowctlError {
  return new FlowctlError('STORE_CORRUPT', `Object ${key} is corrupt: ${detail}`, {
    exitCode: ExitCode.StepFailed,
    hint: `The damaged copy was moved to ${quarantineDir}. Run the flow again: the step that produced it ` +
      'is re-run (its cached result no longer counts) and writes a good copy.',
  });
}
