/** Shared pieces of the batch executor's tests. */
import type { AttemptSpec, BatchPlacement } from '../../src/store/records.js';

export const placement: BatchPlacement = { queue: 'gpu-queue', platform: 'EC2', secrets: {}, jobRole: 'arn:aws:iam::123456789012:role/flowctl-job' };

export function attemptSpec(over: Partial<AttemptSpec> = {}): AttemptSpec {
  return {
    formatVersion: 1, flow: 'train', runId: '20261130T120000.000Z-abc123', step: 'fit', taskId: '3', attempt: 1,
    command: 'python fit.py', shell: 'sh', env: { FLOW_STEP: 'fit' }, secretEnv: [], outputs: ['model.json'], codeHash: 'c'.repeat(64),
    inputs: [], image: 'ghcr.io/acme/train:1.2', resources: { cpu: 2, memory: 4096, gpu: 0 }, batch: placement, ...over,
  };
}
