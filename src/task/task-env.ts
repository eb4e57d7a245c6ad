/**
 * The FLOW_* environment of DESIGN.md §2, but for the two paths (FLOW_TASK_DIR, FLOW_VALUES),
 * which runAttempt adds where the attempt runs. Pure.
 */
export interface TaskEnvInput {
  runId: string;
  flow: string;
  step: string;
  taskId: string;
  attempt: number;
  hasItem: boolean;
  item: unknown;
  itemIndex?: number;
  params: Record<string, unknown>;
  stepEnv: Record<string, string>;
}

export function buildTaskEnv(i: TaskEnvInput): Record<string, string> {
  const env: Record<string, string> = { ...i.stepEnv };
  for (const [name, value] of Object.entries(i.params)) {
    env[`FLOW_PARAM_${paramEnvName(name)}`] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  Object.assign(env, {
    FLOW_RUN_ID: i.runId,
    FLOW_FLOW: i.flow,
    FLOW_STEP: i.step,
    FLOW_TASK_ID: i.taskId,
    FLOW_ATTEMPT: String(i.attempt),
  });
  if (i.hasItem) {
    env.FLOW_ITEM = JSON.stringify(i.item ?? null);
    if (i.itemIndex !== undefined) env.FLOW_ITEM_INDEX = String(i.itemIndex);
  }
  return env;
}

/** Prefix of the environment variables flowctl reads params from: `FLOWCTL_PARAM_TOKEN` sets `token`. */
export const PARAM_ENV_PREFIX = 'FLOWCTL_PARAM_';
/** Prefix of the extra mask values a batch job's flowctl is given (whole secrets). */
export const MASK_ENV_PREFIX = 'FLOWCTL_MASK_';

/**
 * What a task inherits of the invoking environment (like make or DVC, and not part of the cache
 * key): all of `host` but flowctl's own secret channels (`FLOWCTL_PARAM_*`, `FLOWCTL_MASK_*`)
 * and any variable whose value holds a secret (`holdsSecret`), which a task may see only
 * through its own FLOW_* variables, if its step can read the param.
 */
export function inheritedEnv(host: NodeJS.ProcessEnv, holdsSecret?: (value: string) => boolean): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(host)) {
    if (v === undefined || k.startsWith(PARAM_ENV_PREFIX) || k.startsWith(MASK_ENV_PREFIX)) continue;
    if (holdsSecret && v !== '' && holdsSecret(v)) continue;
    env[k] = v;
  }
  return env;
}

/** `learning-rate` → `LEARNING_RATE`. */
export function paramEnvName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}
