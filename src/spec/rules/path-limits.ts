/**
 * Names that become paths must fit common file systems (see ../limits.ts). A step's qualified name (`group.inner`) names one
 * folder in the store; an output path lands under the task directory and, downstream, under
 * `<step>/<index>/`. Caught here, with the place in the file, rather than as a raw
 * ENAMETOOLONG in the middle of a run.
 */
import type { Problem } from '../../errors.js';
import { stepDataPath } from '../describe.js';
import { MAX_NAME_LENGTH, MAX_OUTPUT_PATH_BYTES, MAX_SEGMENT_BYTES, NAME_LENGTH_HINT } from '../limits.js';
import { scopes } from '../walk.js';
import type { RuleContext } from './context.js';

export function pathLimits(ctx: RuleContext): Problem[] {
  const problems: Problem[] = [];
  for (const { steps } of scopes(ctx.spec)) {
    for (const step of steps) {
      // A single name over the limit is the schema's to report; here only names that grow by nesting.
      if (step.path.length > MAX_NAME_LENGTH && step.name.length <= MAX_NAME_LENGTH) {
        problems.push({
          loc: ctx.loc(stepDataPath(step.path), true),
          message: `step '${short(step.path)}' has a qualified name (its groups' names and its own, joined by '.') of ${step.path.length} characters; at most ${MAX_NAME_LENGTH} are allowed`,
          rule: 'name',
          hint: `${NAME_LENGTH_HINT} for the step or its groups`,
        });
      }
      if (step.kind !== 'task') continue;
      step.outputs.forEach((out, i) => {
        const at = ctx.loc([...stepDataPath(step.path), 'outputs', i]);
        const long = out.split(/[\\/]/).find((seg) => Buffer.byteLength(seg) > MAX_SEGMENT_BYTES);
        if (long !== undefined) {
          problems.push({
            loc: at,
            message: `outputs[${i}] of step '${short(step.path)}' has a path segment of ${Buffer.byteLength(long)} bytes ('${short(long)}'); file systems allow at most ${MAX_SEGMENT_BYTES}`,
            rule: 'outputs',
            hint: 'shorten that file or folder name',
          });
        } else if (Buffer.byteLength(out) > MAX_OUTPUT_PATH_BYTES) {
          problems.push({
            loc: at,
            message: `outputs[${i}] of step '${short(step.path)}' is ${Buffer.byteLength(out)} bytes long; at most ${MAX_OUTPUT_PATH_BYTES} are allowed`,
            rule: 'outputs',
            hint: 'declare a shorter path (e.g. the folder that holds the files, as one directory output)',
          });
        }
      });
    }
  }
  return problems;
}

function short(s: string): string {
  return s.length > 60 ? `${s.slice(0, 40)}…${s.slice(-15)}` : s;
}
