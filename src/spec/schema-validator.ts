/**
 * The ajv set-up for the flow schema, shared by the run-time compile and the build-time
 * standalone validator (precompile-schema.ts), so both validate and report identically.
 */
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { flowSchema } from './schema.js';

/** The build's standalone validator, next to schema-check.js in dist/spec/ (precompile-schema.ts). */
export const PRECOMPILED_VALIDATOR = 'flow-validator.cjs';

/**
 * Compile the flow schema; `source: true` keeps the generated code for standalone output.
 * ajv (CommonJS) is required here, on demand: a CLI start that uses the precompiled
 * validator never loads its compiler.
 */
export function compileFlowSchema(opts: { source?: boolean } = {}): { ajv: Ajv2020; validate: ValidateFunction } {
  const { Ajv2020: Ajv } = createRequire(import.meta.url)('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 };
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    // `required` inside anyOf/not names properties declared in the enclosing schema.
    strictRequired: false,
    allowUnionTypes: true,
    ...(opts.source ? { code: { source: true } } : {}),
  });
  // Editor annotations (VS Code / yaml-language-server) that also drive our messages.
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  return { ajv, validate: ajv.compile(flowSchema()) };
}
