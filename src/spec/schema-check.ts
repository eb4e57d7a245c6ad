/**
 * Validates the parsed flow data against the JSON Schema with ajv and turns its errors
 * into located, readable Problems. The validator is loaded (precompiled by the build) or
 * compiled once per process, on first use.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Problem } from '../errors.js';
import { collapseErrors, toProblem } from './schema-messages.js';
import { flowSchemaHash } from './schema.js';
import type { FlowSource } from './source.js';
import { compileFlowSchema, PRECOMPILED_VALIDATOR } from './schema-validator.js';

/** Written by the build (precompile-schema.ts); absent when running the TypeScript sources. */
const PRECOMPILED = fileURLToPath(new URL(`./${PRECOMPILED_VALIDATOR}`, import.meta.url));

let validator: ValidateFunction | undefined;

function getValidator(): ValidateFunction {
  validator ??= loadPrecompiled() ?? compileNow();
  return validator;
}

/** The build's standalone validator, if it was made from the schema we ship (~5 ms against ~230 ms to compile). */
function loadPrecompiled(): ValidateFunction | undefined {
  if (!existsSync(PRECOMPILED)) return undefined;
  const mod = createRequire(import.meta.url)(PRECOMPILED) as ValidateFunction & { schemaHash?: string };
  return mod.schemaHash === flowSchemaHash() ? mod : undefined;
}

/** Compiling loads ajv's compiler (imported here only, so the precompiled path never pays for it). */
function compileNow(): ValidateFunction {
  return compileFlowSchema().validate;
}

/** Every schema problem of the flow, one per location and cause, in file order. */
export function checkSchema(src: FlowSource): Problem[] {
  const validate = getValidator();
  if (validate(src.data)) return [];
  const errors = collapseErrors((validate.errors ?? []) as ErrorObject[]);
  return errors.map((e) => toProblem(e, src));
}
