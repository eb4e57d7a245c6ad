// Tiny helpers shared by the step scripts: flags, the $FLOW_VALUES file, JSON output, failing cleanly.
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';

/** Parse `--name value` / `--name=value` flags. `spec` maps name -> default ('' = required). */
export function parseFlags(argv, spec) {
  const out = { ...spec };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || !(m[1] in spec)) fail(`unknown argument ${argv[i]} (expected: ${Object.keys(spec).map((k) => '--' + k).join(' ')})`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) fail(`--${m[1]} needs a value`);
    out[m[1]] = value;
  }
  for (const [k, v] of Object.entries(out)) if (v === '') fail(`--${k} is required`);
  return out;
}

/** A flag as a number; `integer` and `min` are checked. */
export function num(flags, name, { integer = false, min = -Infinity } = {}) {
  const v = Number(flags[name]);
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min) {
    fail(`--${name} must be ${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` >= ${min}` : ''}, got ${JSON.stringify(flags[name])}`);
  }
  return v;
}

/** Publish `name=value` to later steps via $FLOW_VALUES (a no-op when run outside flowctl). */
export function setValue(name, value) {
  const line = `${name}=${JSON.stringify(value)}\n`;
  if (process.env.FLOW_VALUES) appendFileSync(process.env.FLOW_VALUES, line);
  else process.stdout.write(`(FLOW_VALUES not set) ${line}`);
}

export function writeJson(path, data) {
  writeFileSync(path, JSON.stringify(data, null, 2) + '\n');
}

/** Round to `digits` decimals for stable, readable output. */
export function round(x, digits = 6) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Fail clearly when an input another step should have produced is absent. */
export function requireInputs(paths, hint) {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length) fail(`missing input ${missing.join(', ')}: ${hint}`);
}

export function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}
