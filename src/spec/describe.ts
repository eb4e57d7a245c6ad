/** Names for places in a flow, as messages say them: `step 'per_fold.fit'`, `retry.delay of step 'fit'`. */
import type { DataPath } from './positions.js';

function formatRest(rest: DataPath): string {
  return rest.map((s, i) => (typeof s === 'number' || /^[0-9]+$/.test(String(s)) ? `[${s}]` : i === 0 ? String(s) : `.${s}`)).join('');
}

/** Splits `['steps','g','steps','fit','retry']` into the step path `g.fit` and the rest `['retry']`. */
export function splitStepPath(path: DataPath): { step?: string; rest: DataPath } {
  const names: string[] = [];
  let i = 0;
  while (path[i] === 'steps' && path[i + 1] !== undefined) {
    names.push(String(path[i + 1]));
    i += 2;
  }
  return names.length ? { step: names.join('.'), rest: path.slice(i) } : { rest: path };
}

/** The data path of a step from its qualified name (`g.fit` → steps.g.steps.fit). */
export function stepDataPath(qualified: string): DataPath {
  return qualified.split('.').flatMap((n) => ['steps', n]);
}

/** How a message names the thing at `path`. */
export function describePath(path: DataPath): string {
  if (path.length === 0) return 'the flow';
  const { step, rest } = splitStepPath(path);
  if (step !== undefined) return rest.length ? `${formatRest(rest)} of step '${step}'` : `step '${step}'`;
  if (path[0] === 'params' && path.length >= 2) {
    return path.length === 2 ? `param '${path[1]}'` : `${formatRest(path.slice(2))} of param '${path[1]}'`;
  }
  return formatRest(path);
}

/** How a message names a key inside the mapping at `path` (for invalid names). */
export function describeKeyKind(path: DataPath): string {
  const last = path[path.length - 1];
  if (last === 'steps') return 'step name';
  if (last === 'params') return 'param name';
  if (last === 'env') return 'env variable name';
  if (last === 'matrix') return 'matrix axis name';
  return 'key';
}

/** `a, b, c` — or the first `max` and how many more, so a hint stays one readable line. */
export function listNames(names: Iterable<string>, max = 10): string {
  const all = [...names];
  return all.length <= max ? all.join(', ') : `${all.slice(0, max).join(', ')}, … (${all.length - max} more)`;
}
