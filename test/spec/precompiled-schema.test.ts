/**
 * The build writes the schema's validator as standalone code (precompile-schema.ts) so that
 * `run`/`validate` skip compiling it. It must judge every flow exactly as the run-time
 * compile does, down to the problems a user sees.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { standaloneValidatorSource } from '../../src/spec/precompile-schema.js';
import { readFlowYaml } from '../../src/spec/read-yaml.js';
import { compileFlowSchema } from '../../src/spec/schema-validator.js';
import { collapseErrors, toProblem } from '../../src/spec/schema-messages.js';
import { sha256 } from '../../src/store/hash.js';
import { flowSchemaText } from '../../src/spec/schema.js';
import { REPO } from '../helpers/cli.js';

const files = ['test/fixtures/invalid', 'test/fixtures/valid'].flatMap((d) =>
  readdirSync(d).filter((f) => f.endsWith('.yaml')).map((f) => join(d, f)));
files.push('flows/train.yaml');

let dir: string;
let standalone: ValidateFunction & { schemaHash: string };
const compiled = compileFlowSchema().validate;

beforeAll(() => {
  // Inside the package: the generated code requires ajv's runtime helpers from node_modules.
  mkdirSync(join(REPO, 'node_modules/.cache'), { recursive: true });
  dir = mkdtempSync(join(REPO, 'node_modules/.cache/flowctl-validator-'));
  const file = join(dir, 'flow-validator.cjs');
  writeFileSync(file, standaloneValidatorSource());
  standalone = createRequire(file)(file);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function judge(validate: ValidateFunction, data: unknown) {
  const ok = validate(data);
  const errors = (validate.errors ?? []) as ErrorObject[];
  return { ok, errors: errors.map(({ instancePath, schemaPath, keyword, params, message }) => ({ instancePath, schemaPath, keyword, params, message })), raw: errors };
}

test('the standalone validator records the hash of the schema it was made from', () => {
  expect(standalone.schemaHash).toBe(sha256(flowSchemaText()));
});

test(`it judges all ${files.length} fixture flows exactly as the run-time compile`, async () => {
  let invalid = 0;
  for (const file of files) {
    const read = await readFlowYaml(file);
    if (!read.source) continue; // not YAML at all: never reaches the schema
    const a = judge(compiled, read.source.data);
    const b = judge(standalone, read.source.data);
    expect({ file, ...b, raw: undefined }).toEqual({ file, ...a, raw: undefined });
    const problems = (r: typeof a) => collapseErrors(r.raw).map((e) => toProblem(e, read.source!));
    expect(problems(b)).toEqual(problems(a));
    if (!a.ok) invalid++;
  }
  expect(invalid).toBeGreaterThan(20); // the comparison covered failing flows, not only valid ones
});
