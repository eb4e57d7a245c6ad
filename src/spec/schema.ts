/**
 * The flow JSON Schema (schemas/flow.schema.json), the single source of the v1 syntax.
 * Read from the package on first use: it is a package asset, found relative to this module
 * (src/spec/ and dist/spec/ are both two levels below the package root).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FLOW_SCHEMA_PATH = fileURLToPath(new URL('../../schemas/flow.schema.json', import.meta.url));

let text: string | undefined;
let json: Record<string, unknown> | undefined;

/** The schema file's text, as shipped. */
export function flowSchemaText(): string {
  text ??= readFileSync(FLOW_SCHEMA_PATH, 'utf8');
  return text;
}

/** sha256 (hex) of the schema file's text: ties the precompiled validator to the schema it came from. */
export function flowSchemaHash(): string {
  return createHash('sha256').update(flowSchemaText()).digest('hex');
}

/** The parsed schema (shared; do not mutate). */
export function flowSchema(): Record<string, unknown> {
  json ??= JSON.parse(flowSchemaText()) as Record<string, unknown>;
  return json;
}

/** A `$defs` entry of the schema, for messages that depend on it. */
export function schemaDef(name: string): Record<string, unknown> | undefined {
  return (flowSchema().$defs as Record<string, Record<string, unknown>>)[name];
}
