/**
 * The one secret scrubber. Configured secret values (API keys, webhook secrets, private keys, database
 * passwords) are registered here by `loadPaymentConfig` and by every adapter constructor; every
 * `PaymentError` runs its message, details and cause through {@link scrubSecrets}, and the objects the
 * library hands out (config, providers, factory, service) render through {@link sealObject}. Known key
 * shapes (`sk_live_…`, `whsec_…`, PEM private keys, passwords inside URLs) are scrubbed too, so a secret
 * that was never registered is still caught when it looks like one.
 *
 * The registry is process-wide (shared through `globalThis` by every copy of the package), because an
 * error may be thrown far from the code that knows the secret. It only ever holds values the host
 * configured; it is never printed.
 * @module
 */

const REGISTRY_KEY = Symbol.for('@org/payment-factory/secrets');
/** What replaces a secret. */
export const REDACTED = '[redacted]';
/** Shorter values are not registered: scrubbing them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 8;

function registry(): Set<string> {
  const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  let set = holder[REGISTRY_KEY];
  if (!set) {
    set = new Set<string>();
    Object.defineProperty(globalThis, REGISTRY_KEY, { value: set, enumerable: false });
  }
  return set;
}

/** Known secret shapes, scrubbed even when no one registered the value. */
const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[redacted private key]'],
  [/\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]+/g, '[redacted key]'],
  [/\bwhsec_[0-9A-Za-z+/=]+/g, '[redacted key]'],
  // Passwords inside URLs: scheme://user:password@host → scheme://user:[redacted]@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${REDACTED}@`],
];

/**
 * Registers configured secret values (strings shorter than 8 characters and empty values are ignored). A URL
 * registers only its password (a URL without one registers nothing); a PEM registers each body line as well,
 * so a fragment of it is caught too.
 *
 * @example
 * ```ts
 * registerSecrets([options.secretKey, ...options.webhookSecrets]);
 * ```
 */
export function registerSecrets(values: Iterable<string | null | undefined>): void {
  const set = registry();
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const trimmed = value.trim();
    const password = urlPassword(trimmed);
    // A URL is not itself secret (it names a host); its password is, whatever its length.
    if (!password && !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) && trimmed.length >= MIN_SECRET_LENGTH) set.add(trimmed);
    if (password && password.length >= 6) {
      set.add(password);
      try {
        set.add(decodeURIComponent(password));
      } catch {
        // a malformed escape: the raw form is registered
      }
    }
    if (trimmed.includes('-----BEGIN')) {
      for (const line of trimmed.split(/\r?\n|\\n/)) if (line.length >= 16 && !line.startsWith('-----')) set.add(line);
    }
  }
}

/** The password of a `scheme://user:password@host` URL, if it has one. */
function urlPassword(value: string): string | null {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/i.exec(value);
  return match?.[1] && match[1].length >= 1 ? match[1] : null;
}

/**
 * Replaces every registered secret and every known secret shape in `text`.
 * @example scrubSecrets('postgres://app:hunter22@db/pay') // 'postgres://app:[redacted]@db/pay'
 */
export function scrubSecrets(text: string): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of secretsIn(text)) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Length of the prefix registered secrets are indexed by (the shortest registered password is 6). */
const PREFIX = 6;

/** The registry indexed by prefix, rebuilt when it grew (it only grows). */
interface SecretIndex {
  size: number;
  byPrefix: Map<string, string[]>;
  /** Secrets shorter than the prefix (a decoded URL password), checked one by one. */
  short: string[];
}
let index: SecretIndex | null = null;

/**
 * The registered secrets that occur in `text`, longest first. Found through a prefix index, so the cost follows the
 * text's length, not the registry's: a service with merchant accounts registers every account version's keys (a PEM
 * registers each of its lines), thousands of values on a large platform, and every error message is scrubbed.
 */
function secretsIn(text: string): string[] {
  const set = registry();
  if (index?.size !== set.size) {
    const byPrefix = new Map<string, string[]>();
    const short: string[] = [];
    for (const secret of set) {
      if (secret.length < PREFIX) {
        short.push(secret);
        continue;
      }
      const key = secret.slice(0, PREFIX);
      const bucket = byPrefix.get(key);
      if (bucket) bucket.push(secret);
      else byPrefix.set(key, [secret]);
    }
    index = { size: set.size, byPrefix, short };
  }
  const found = new Set<string>();
  for (const secret of index.short) if (text.includes(secret)) found.add(secret);
  if (index.byPrefix.size > 0) {
    for (let i = 0; i + PREFIX <= text.length; i++) {
      const bucket = index.byPrefix.get(text.slice(i, i + PREFIX));
      if (bucket) for (const secret of bucket) if (text.startsWith(secret, i)) found.add(secret);
    }
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** Whether `text` holds a registered secret or a known secret shape. */
export function containsSecret(text: string): boolean {
  return scrubSecrets(text) !== text;
}

/**
 * A deep copy of `value` with every string scrubbed (objects and arrays to `depth` levels; deeper values and
 * functions are dropped). Dates stay dates.
 */
export function scrubValue(value: unknown, depth = 6): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (typeof value !== 'object' || value === null) return typeof value === 'function' ? undefined : value;
  if (value instanceof Date) return value;
  if (depth <= 0) return '[…]';
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const scrubbed = scrubValue(item, depth - 1);
    if (scrubbed !== undefined) out[key] = scrubbed;
  }
  return out;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
/** Fields of a driver / SDK error kept on a sealed copy: codes and statuses, never bodies or requests. */
const CAUSE_FIELDS = ['code', 'errno', 'type', 'rawType', 'statusCode', 'status', 'param', 'requestId', 'syscall'];

/**
 * The cause to keep on an error: the original when nothing in it (message, stack, fields, nested causes)
 * holds a secret; otherwise an `Error` copy with scrubbed message and stack and only code-like fields.
 */
export function sealCause(cause: unknown, depth = 3): unknown {
  if (cause === undefined || cause === null) return cause;
  if (typeof cause === 'string') return scrubSecrets(cause);
  if (typeof cause !== 'object') return cause;
  if (!leaks(cause, 4)) return cause;
  const source = cause as Record<string, unknown> & { message?: unknown; name?: unknown; stack?: unknown };
  const copy = new Error(scrubSecrets(typeof source.message === 'string' ? source.message : 'Error'));
  copy.name = typeof source.name === 'string' ? source.name : 'Error';
  copy.stack = typeof source.stack === 'string' ? scrubSecrets(source.stack) : `${copy.name}: ${copy.message}`;
  for (const field of CAUSE_FIELDS) {
    const value = source[field];
    if (typeof value === 'string') (copy as unknown as Record<string, unknown>)[field] = scrubSecrets(value);
    else if (typeof value === 'number' || typeof value === 'boolean')
      (copy as unknown as Record<string, unknown>)[field] = value;
  }
  if (depth > 0 && source.cause !== undefined) {
    Object.defineProperty(copy, 'cause', { value: sealCause(source.cause, depth - 1), enumerable: false });
  }
  return copy;
}

/** Whether any string reachable from `value` (own properties, message, stack, cause) holds a secret. */
function leaks(value: unknown, depth: number, seen = new Set<object>()): boolean {
  if (typeof value === 'string') return containsSecret(value);
  if (typeof value !== 'object' || value === null || depth < 0 || seen.has(value)) return false;
  seen.add(value);
  const own = value as Record<string, unknown>;
  const names = new Set<string>(Object.getOwnPropertyNames(value));
  if (value instanceof Error) for (const name of ['message', 'stack', 'cause']) names.add(name);
  for (const name of names) {
    let item: unknown;
    try {
      item = own[name];
    } catch {
      continue;
    }
    if (typeof item === 'function') continue;
    if (leaks(item, depth - 1, seen)) return true;
  }
  return false;
}

/**
 * Makes `target` render as `view()` under `util.inspect` and `JSON.stringify` (non-enumerable `toJSON`
 * and `nodejs.util.inspect.custom`), with every string of the view scrubbed. The object itself, and what
 * code reads from it, is unchanged.
 *
 * @example
 * ```ts
 * return sealObject(provider, () => ({ name: provider.name, kind: provider.kind }));
 * ```
 */
export function sealObject<T extends object>(target: T, view: () => unknown): T {
  const render = () => scrubValue(view(), 6);
  Object.defineProperty(target, 'toJSON', { value: render, enumerable: false, configurable: true });
  Object.defineProperty(target, INSPECT, {
    value: (_depth: number, options: unknown, inspect?: (value: unknown, options: unknown) => string) =>
      typeof inspect === 'function' ? inspect(render(), options) : render(),
    enumerable: false,
    configurable: true,
  });
  return target;
}
