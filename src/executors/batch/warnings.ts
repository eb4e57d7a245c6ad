/** What flowctl tells the user about AWS Batch jobs that wait too long. */
import type { AttemptSpec } from '../../store/records.js';
import { DEFAULT_MEMORY_MIB } from './job-definition.js';

/** A job (or array job) RUNNABLE for `waitedMs`: the usual causes, and where to look. */
export function runnableWarning(spec: AttemptSpec, unit: { id: string; queue: string; items: unknown[]; array: boolean }, waitedMs: number): string {
  const r = spec.resources;
  const needs = `${r.cpu} vCPU, ${r.memory > 0 ? r.memory : DEFAULT_MEMORY_MIB} MiB${r.gpu ? `, ${r.gpu} GPU` : ''}`;
  const what = unit.array ? `array job ${unit.id} (${unit.items.length} tasks of step ${spec.step})` : `job ${unit.id} (${spec.step}/${spec.taskId})`;
  return `AWS Batch ${what} has been RUNNABLE for ${Math.round(waitedMs / 60_000) || '<1'} min in queue ${unit.queue}. ` +
    `Usual causes: no compute environment of the queue can fit one task (${needs}: check its instance types and maxvCpus), ` +
    `the queue or its compute environments are DISABLED or INVALID, or EC2/Spot capacity is short. ` +
    `Look with: aws batch describe-job-queues --job-queues ${unit.queue}; aws batch describe-compute-environments`;
}
