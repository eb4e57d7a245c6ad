import { readFileSync } from 'node:fs';
import { parseText } from '../../src/spec/read-yaml.js';
import { validateSource } from '../../src/spec/load.js';
import { checkSchema } from '../../src/spec/schema-check.js';
import { flowSchema } from '../../src/spec/schema.js';

type Schema = Record<string, unknown>;

function subschemas(s: unknown, at: string, out: Array<[string, Schema]> = []): Array<[string, Schema]> {
  if (Array.isArray(s)) s.forEach((x, i) => subschemas(x, `${at}/${i}`, out));
  else if (s && typeof s === 'object') {
    out.push([at, s as Schema]);
    for (const [k, v] of Object.entries(s)) if (k !== 'default' && k !== 'enum' && k !== 'const') subschemas(v, `${at}/${k}`, out);
  }
  return out;
}

function source(text: string) {
  const r = parseText('flow.yaml', '/tmp/flow.yaml', text, 'hash');
  if (!r.source) throw new Error(JSON.stringify(r.problems));
  return r.source;
}

describe('the flow schema', () => {
  const schema = flowSchema();
  const all = subschemas(schema, '#');

  it('is a 2020-12 schema with an $id', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toMatch(/flow\.schema\.json$/);
    expect(JSON.parse(readFileSync('schemas/flow.schema.json', 'utf8'))).toEqual(schema);
  });

  it('describes every property', () => {
    const missing = all.flatMap(([at, s]) =>
      Object.entries((s.properties ?? {}) as Record<string, Schema>).filter(([, p]) => typeof p.description !== 'string').map(([k]) => `${at}/properties/${k}`));
    expect(missing).toEqual([]);
  });

  it('closes every object with properties (additionalProperties: false)', () => {
    const open = all.filter(([at, s]) => s.properties && s.additionalProperties !== false && !at.includes('/then')).map(([at]) => at);
    expect(open).toEqual([]);
  });

  it('has $defs for step, duration, template, param, retry and resources', () => {
    expect(Object.keys(schema.$defs as Schema)).toEqual(expect.arrayContaining(['step', 'duration', 'template', 'param', 'retry', 'resources']));
  });

  it('accepts the design example', () => {
    expect(checkSchema(source(readFileSync('test/fixtures/valid/design-example.yaml', 'utf8')))).toEqual([]);
  });
});

describe('schema messages', () => {
  const check = (yaml: string) => checkSchema(source(yaml)).map((p) => `${p.loc!.line}:${p.loc!.col} ${p.message}`);

  it('gives one message for a value that fits no branch of a oneOf', () => {
    expect(check('version: 1\nname: f\nsteps:\n  a: { run: echo, retry: [1] }\n')).toEqual([
      "4:26 retry of step 'a' must be a number of retries (0, 1, 2, …) or a mapping {attempts, delay, backoff, max_delay}",
    ]);
  });

  it('follows the branch whose type matches', () => {
    expect(check('version: 1\nname: f\nsteps:\n  a: { run: echo, retry: { attempts: 2, backof: fixed } }\n')).toEqual([
      "4:41 unknown key 'backof' in retry of step 'a' (did you mean 'backoff'?)",
    ]);
    expect(check('version: 1\nname: f\nsteps:\n  a: { run: echo, needs: [1] }\n')).toEqual(["4:27 needs[0] of step 'a' must be a string, not a number"]);
  });

  it('says what is missing', () => {
    expect(check('version: 1\nsteps:\n  a: { run: echo }\n')).toEqual(["1:1 the flow is missing the required key 'name'"]);
  });

  it('reports schema and semantic problems together, each once', () => {
    const { problems } = validateSource(source('version: 1\nname: f\nsteps:\n  a: { run: echo, timeout: 1x }\n  b: { run: echo, needs: [c] }\n'));
    expect(problems.map((p) => p.rule)).toEqual(['duration', 'unknown-need']);
  });

  it('a type error names both types', () => {
    expect(check('version: 1\nname: f\nsteps:\n  a: { run: echo, catch: "yes" }\n')).toEqual(["4:26 catch of step 'a' must be true or false, not a string"]);
    expect(check('version: 1\nname: f\nsteps: [a, b]\n')).toEqual(['3:8 steps must be a mapping of step names to steps, with at least one step']);
  });
});
