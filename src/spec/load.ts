/**
 * Loading a flow file: read YAML (with positions) → JSON Schema → normalize → semantic
 * rules. Every problem of every stage is collected, so the user sees them all at once.
 */
import { FlowInvalidError, type Problem } from '../errors.js';
import { normalize } from './normalize.js';
import { locAt, locInValue } from './positions.js';
import { readFlowYaml } from './read-yaml.js';
import { runRules } from './rules/index.js';
import { checkSchema } from './schema-check.js';
import type { FlowSource } from './source.js';
import type { FlowSpec } from './types.js';

export interface ValidationResult {
  /** The normalized spec; only when there are no problems. */
  spec?: FlowSpec;
  problems: Problem[];
}

/**
 * Reads and checks `file` (a path as the user typed it; messages use it as given).
 * Never throws for a bad file: everything wrong is in `problems`, in file order.
 * @example const { spec, problems } = await validateFlowFile('flows/train.yaml')
 */
export async function validateFlowFile(file: string): Promise<ValidationResult> {
  try {
    const read = await readFlowYaml(file);
    if (!read.source) return { problems: read.problems };
    return validateSource(read.source);
  } catch (e) {
    // Pathological nesting can exhaust the stack in the YAML visitors, the schema validator or the walkers.
    if ((e as Error)?.name === 'RangeError' && /call stack/i.test((e as Error).message)) {
      return { problems: [{ loc: { file, line: 1, col: 1 }, message: 'the flow is nested too deeply to check', rule: 'file' }] };
    }
    throw e;
  }
}

/** The checks after reading: pure, for tests and for callers that hold the text already. */
export function validateSource(src: FlowSource): ValidationResult {
  const schemaProblems = checkSchema(src);
  const { spec, problems: normalizeProblems } = normalize(src);
  const ruleProblems = runRules({
    spec,
    src,
    loc: (path, key = false) => locAt(src, path, { key }),
    locIn: (path, offset) => locInValue(src, path, offset),
  });
  const problems = dedupe([...schemaProblems, ...normalizeProblems, ...ruleProblems]);
  return problems.length ? { problems } : { spec, problems };
}

/**
 * Loads a valid flow or throws FlowInvalidError carrying every problem.
 * @example const spec = await loadFlow('flows/train.yaml')
 */
export async function loadFlow(file: string): Promise<FlowSpec> {
  const { spec, problems } = await validateFlowFile(file);
  if (!spec) throw new FlowInvalidError(problems);
  return spec;
}

/** The same message at the same place is reported once (the schema and the normalizer can both see a bad duration); sorted by position. */
function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  const out = problems.filter((p) => {
    const key = `${p.loc?.line}:${p.loc?.col}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return out.sort((a, b) => (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.col ?? 0) - (b.loc?.col ?? 0));
}
