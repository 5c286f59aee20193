/**
 * The emulator's state: every Stripe object by id, plus the helpers every resource module shares
 * (ids, Stripe-shaped errors, parameter readers).
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { FormObject, FormValue } from './form.js';

/** A JSON object as Stripe returns it. */
export type StripeJson = { [key: string]: unknown };

/** A stored Stripe object (`payment_intent`, `checkout.session`, `charge`, `refund`). */
export interface EmulatedObject extends StripeJson {
  /** Identifier. */
  id: string;
  /** Object kind, as the provider names it. */
  object: string;
}

/** A request the emulated API refuses: the HTTP status and Stripe's `error` object. */
export class StripeApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: StripeJson,
  ) {
    super(typeof error.message === 'string' ? error.message : 'Stripe API error');
  }
}

/** A 400 `invalid_request_error`, as Stripe sends for bad parameters. */
export function invalidRequest(message: string, extra: StripeJson = {}): StripeApiFailure {
  return new StripeApiFailure(400, { type: 'invalid_request_error', message, ...extra });
}

/** A 404 `resource_missing`, as Stripe sends for an unknown id. */
export function resourceMissing(kind: string, id: string, param = 'id'): StripeApiFailure {
  return new StripeApiFailure(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    param,
    message: `No such ${kind}: '${id}'`,
  });
}

/** Holds the objects and mints ids. One per emulator. */
export class Store {
  readonly objects = new Map<string, EmulatedObject>();
  /** Checkout Session creation parameters that shape the PaymentIntent made when it is paid. */
  readonly sessionIntentData = new Map<string, { metadata: Record<string, string>; description: string | null }>();

  constructor(readonly baseUrl: string) {}

  /** A Stripe-looking id: `pi_3Q…` (24 random characters after the prefix). */
  newId(prefix: string): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const bytes = randomBytes(24);
    let out = '';
    for (const byte of bytes) out += alphabet[byte % alphabet.length];
    return `${prefix}_${out}`;
  }

  now(): number {
    return Math.floor(Date.now() / 1000);
  }

  put<T extends EmulatedObject>(object: T): T {
    this.objects.set(object.id, object);
    return object;
  }

  /** The stored object of `kind`, or a 404 failure. */
  get(kind: string, id: string, param = 'id'): EmulatedObject {
    const object = this.objects.get(id);
    if (!object || object.object !== kind) throw resourceMissing(kind, id, param);
    return object;
  }

  all(kind: string): EmulatedObject[] {
    return [...this.objects.values()].filter((o) => o.object === kind);
  }
}

/** Reads an optional string parameter. */
export function optionalString(params: FormObject, key: string): string | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${key}`, { param: key });
  return value;
}

/** Reads an optional non-negative integer parameter. */
export function optionalInteger(params: FormObject, key: string): number | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value))
    throw invalidRequest(`Invalid integer: ${key}`, { param: key });
  return Number(value);
}

/** Reads a required currency and lower-cases it. */
export function requiredCurrency(params: FormObject, key = 'currency'): string {
  const value = optionalString(params, key);
  if (value === undefined) throw invalidRequest(`Missing required param: ${key}.`, { param: key });
  if (!/^[a-zA-Z]{3}$/.test(value)) throw invalidRequest(`Invalid currency: ${value}.`, { param: key });
  return value.toLowerCase();
}

/** Reads an optional list of strings (`payment_method_types[0]=card`). */
export function optionalStringList(params: FormObject, key: string): string[] | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw invalidRequest(`Invalid array: ${key}`, { param: key });
  }
  return value;
}

/** Reads `metadata[...]` with Stripe's limits (50 keys, 40-character keys, 500-character values). */
export function metadataParam(value: FormValue | undefined, param = 'metadata'): Record<string, string> {
  if (value === undefined || value === '') return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest('Invalid metadata.', { param });
  const out: Record<string, string> = {};
  const entries = Object.entries(value);
  if (entries.length > 50) throw invalidRequest('Metadata can have at most 50 keys.', { param });
  for (const [key, v] of entries) {
    if (typeof v !== 'string')
      throw invalidRequest(`Invalid metadata value for ${key}.`, { param: `${param}[${key}]` });
    if (key.length > 40) throw invalidRequest('Metadata keys can be at most 40 characters.', { param });
    if (v.length > 500) throw invalidRequest('Metadata values can be at most 500 characters.', { param });
    if (v !== '') out[key] = v;
  }
  return out;
}

/** Deep copy, so callers never mutate the stored state. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
