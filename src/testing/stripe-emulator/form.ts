/**
 * Decodes Stripe's form encoding (`metadata[a]=b`, `payment_method_types[0]=card`,
 * `line_items[0][price_data][unit_amount]=100`, `expand[]=x`) into nested objects and arrays.
 * @module
 */

/** A decoded form value: a string, or nested objects / arrays of them. */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };

/** A decoded form: top-level keys to values. */
export type FormObject = { [key: string]: FormValue };

// Keys that would reach Object.prototype through bracket syntax; a hostile body must not pollute it.
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Decodes an `application/x-www-form-urlencoded` body or query string the way Stripe reads it.
 * Objects whose keys are all array indices (or were built with `[]`) become arrays.
 */
export function decodeStripeForm(text: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const path = parseKey(rawKey);
    if (!path || path.some((part) => FORBIDDEN.has(part))) continue;
    assign(root, path, value);
  }
  return normalizeArrays(root) as FormObject;
}

function parseKey(key: string): string[] | null {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) return null;
  const parts = [match[1] as string];
  for (const m of (match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)) parts.push(m[1] as string);
  return parts;
}

function assign(target: FormObject, path: string[], value: string): void {
  let node: FormObject = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as FormObject;
  }
  let last = path[path.length - 1] as string;
  // `a[]=x&a[]=y`: append with synthetic, ordered indices.
  if (last === '') last = String(Object.keys(node).length);
  node[last] = value;
}

function normalizeArrays(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const normalized: { [key: string]: FormValue } = {};
  for (const key of keys) normalized[key] = normalizeArrays(value[key] as FormValue);
  if (keys.length > 0 && keys.every((key) => /^\d+$/.test(key))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((key) => normalized[key] as FormValue);
  }
  return normalized;
}
