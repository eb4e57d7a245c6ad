/**
 * Validates the parsed flow data against the JSON Schema with ajv and turns its errors
 * into located, readable Problems. The validator is compiled once per process, on first use.
 */
import * as ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Problem } from '../errors.js';
import { collapseErrors, toProblem } from './schema-messages.js';
import { flowSchema } from './schema.js';
import type { FlowSource } from './source.js';

// ajv is CommonJS; under NodeNext its default export arrives as the module object.
const Ajv2020 = ajv2020.default.default ?? ajv2020.default;

let validator: ValidateFunction | undefined;

function getValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({
      allErrors: true,
      verbose: true,
      strict: true,
      // `required` inside anyOf/not names properties declared in the enclosing schema.
      strictRequired: false,
      allowUnionTypes: true,
    });
    // Editor annotations (VS Code / yaml-language-server) that also drive our messages.
    ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
    ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
    validator = ajv.compile(flowSchema());
  }
  return validator!;
}

/** Every schema problem of the flow, one per location and cause, in file order. */
export function checkSchema(src: FlowSource): Problem[] {
  const validate = getValidator();
  if (validate(src.data)) return [];
  const errors = collapseErrors((validate.errors ?? []) as ErrorObject[]);
  return errors.map((e) => toProblem(e, src));
}
