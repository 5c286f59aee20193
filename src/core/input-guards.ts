/**
 * Guards for what hosts pass to the public methods of the service, the factory and the adapters. Input
 * comes from HTTP handlers and job queues, so `null`, a number where an id belongs or a parsed body where a
 * string belongs must be a `ValidationError` naming the field — not a `TypeError` from deep inside a flow,
 * and never a row written or a request sent first. Messages describe the value's type, never the value
 * itself; caller-supplied strings that do appear in messages go through {@link echo}, capped.
 * @module
 */
import { ValidationError } from '../core/errors.js';

/** Longest id accepted: the width of the `*_bid` columns (`VARCHAR(64)`). */
export const MAX_ID_LENGTH = 64;
/**
 * Longest provider reference or factory-level id accepted (the width of the persistence layer's reference
 * columns); adapters may refuse shorter ones.
 */
export const MAX_REFERENCE_LENGTH = 255;
/** Longest free text (subject, reason, channel hints) accepted. */
export const MAX_TEXT_LENGTH = 1024;
/** Longest value repeated in an error message. */
export const MAX_ECHO_LENGTH = 64;

/**
 * A value fit for an error message: strings longer than {@link MAX_ECHO_LENGTH} are cut and marked, control
 * characters replaced (a log line stays one line).
 * @example echo('a'.repeat(500)) // 'aaaa…(500 chars)'
 */
export function echo(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length <= MAX_ECHO_LENGTH ? clean : `${clean.slice(0, MAX_ECHO_LENGTH)}…(${clean.length} chars)`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function invalid(method: string, field: string, expected: string, value: unknown): ValidationError {
  return new ValidationError(`${method}: ${field} must be ${expected} (got ${typeName(value)}).`, {
    field,
    code: value === undefined || value === null || value === '' ? 'MISSING_FIELD' : 'INVALID_FIELD',
  });
}

/**
 * The input object of a public method.
 * @throws ValidationError (`field: 'input'`) for `null`, `undefined`, an array or a primitive.
 */
export function inputObject(value: unknown, method: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(method, 'input', 'an object', value);
  }
  return value as Record<string, unknown>;
}

/** A required id: a non-empty string of at most `max` ({@link MAX_ID_LENGTH}) characters. */
export function requireId(input: Record<string, unknown>, field: string, method: string, max = MAX_ID_LENGTH): string {
  const value = input[field];
  if (typeof value !== 'string' || value.trim() === '') throw invalid(method, field, 'a non-empty string', value);
  if (value.length > max) {
    throw new ValidationError(`${method}: ${field} is longer than ${max} characters.`, {
      field,
      code: 'INVALID_FIELD',
    });
  }
  return value;
}

/** An optional id (absent, or as {@link requireId}). */
export function optionalId(input: Record<string, unknown>, field: string, method: string, max = MAX_ID_LENGTH): void {
  if (input[field] !== undefined) requireId(input, field, method, max);
}

/** A required string (possibly empty) of at most `max` characters. */
export function requireString(
  input: Record<string, unknown>,
  field: string,
  method: string,
  max = MAX_TEXT_LENGTH,
): string {
  const value = input[field];
  if (typeof value !== 'string') throw invalid(method, field, 'a string', value);
  optionalString(input, field, method, max);
  return value;
}

/** An optional string of at most `max` characters. */
export function optionalString(
  input: Record<string, unknown>,
  field: string,
  method: string,
  max = MAX_TEXT_LENGTH,
): void {
  const value = input[field];
  if (value === undefined) return;
  if (typeof value !== 'string') throw invalid(method, field, 'a string', value);
  if (value.length > max) {
    throw new ValidationError(`${method}: ${field} is longer than ${max} characters.`, {
      field,
      code: 'INVALID_FIELD',
    });
  }
}

/** An optional number (range and integrality are the money helpers' job). */
export function optionalNumber(input: Record<string, unknown>, field: string, method: string): void {
  const value = input[field];
  if (value !== undefined && typeof value !== 'number') throw invalid(method, field, 'a number', value);
}

/** An optional valid `Date`. */
export function optionalDate(input: Record<string, unknown>, field: string, method: string): void {
  const value = input[field];
  if (value === undefined) return;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw invalid(method, field, 'a valid Date', value);
}

/** An optional plain object (channel extras, metadata). */
export function optionalObject(input: Record<string, unknown>, field: string, method: string): void {
  const value = input[field];
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(method, field, 'an object', value);
  }
}

/** An optional array of strings. */
export function optionalStringArray(input: Record<string, unknown>, field: string, method: string): void {
  const value = input[field];
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw invalid(method, field, 'an array of strings', value);
  }
}
