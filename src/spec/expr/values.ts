/**
 * Value semantics shared by the evaluator, the built-ins and template rendering.
 * Expression values are JSON values; these helpers define truthiness, equality and the
 * text a value becomes when substituted into a string.
 */

/** A user-facing type name: null, boolean, number, string, list, object. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v;
}

/** JS-like truthiness, except that an empty list is falsy too (null, false, 0, '', []). */
export function isTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural equality on JSON values, with no type coercion (`1` is not `'1'`). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The text a value becomes inside a string: strings as-is, null as '', everything else
 * as compact JSON (so a list passes as `[1,2]`, not JS's `1,2`).
 */
export function renderValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  return JSON.stringify(v);
}
