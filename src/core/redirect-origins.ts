/**
 * The redirect allow-list: per-request redirect URLs (`extra.successUrl`, `cancelUrl`, `resultUrl`,
 * `returnUrl`) may only point at the host's own origins.
 *
 * Those URLs are where the payer's browser goes right after paying on the provider's trusted page. Hosts
 * often forward `extra` from the browser, so without a check anyone could send payers to a page of their
 * choosing (an open redirect with the provider's credibility). The original system derived every redirect
 * and notify URL from its own configuration; we accept per-request redirect URLs only on an allow-list of
 * origins (`allowedRedirectOrigins` / `PAYMENT_REDIRECT_ORIGINS`, by default the origins of the configured
 * URLs). Notify URLs never come from the caller at all.
 * @module
 */
import { ConfigurationError, ValidationError } from './errors.js';
import type { PaymentExtra } from './types.js';

/** The `PaymentExtra` keys that carry a per-request redirect URL, checked against the allow-list. */
export const REDIRECT_URL_FIELDS = ['successUrl', 'cancelUrl', 'resultUrl', 'returnUrl'] as const;

/** One of {@link REDIRECT_URL_FIELDS}. */
export type RedirectUrlField = (typeof REDIRECT_URL_FIELDS)[number];

/**
 * The origin (`https://shop.example`, `http://localhost:3000`) of an absolute http(s) URL, or `null`.
 * Stripe's `{CHECKOUT_SESSION_ID}` template is allowed in the URL.
 *
 * @example
 * ```ts
 * originOf('https://Shop.example:443/paid?x=1') // 'https://shop.example'
 * originOf('javascript:alert(1)') // null
 * ```
 */
export function originOf(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  try {
    const parsed = new URL(url.trim().replace(/\{CHECKOUT_SESSION_ID\}/g, 'x'));
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

/**
 * The distinct origins of the given URLs, skipping empty and invalid ones: the default allow-list, built from
 * the URLs the host configured.
 *
 * @example
 * ```ts
 * originsOf(['https://shop.example/paid', 'https://shop.example/cart', undefined]) // ['https://shop.example']
 * ```
 */
export function originsOf(urls: Iterable<string | null | undefined>): string[] {
  const origins = new Set<string>();
  for (const url of urls) {
    const origin = originOf(url);
    if (origin) origins.add(origin);
  }
  return [...origins];
}

/**
 * Parses an allow-list: a comma-separated string (`PAYMENT_REDIRECT_ORIGINS`) or a list of origins. Each entry
 * must be a bare http(s) origin — scheme, host, optional port, nothing after it — so nobody believes a path is
 * enforced when only the origin is.
 *
 * @example
 * ```ts
 * parseRedirectOrigins('https://shop.example, http://localhost:3000') // ['https://shop.example', 'http://localhost:3000']
 * ```
 * @throws ConfigurationError (`INVALID_REDIRECT_ORIGINS`) naming the entries that are not origins.
 */
export function parseRedirectOrigins(value: string | readonly string[], option = 'allowedRedirectOrigins'): string[] {
  const entries = (typeof value === 'string' ? value.split(',') : [...value]).map((entry) =>
    typeof entry === 'string' ? entry.trim() : entry,
  );
  const origins = new Set<string>();
  const invalid: string[] = [];
  for (const entry of entries) {
    if (entry === '') continue;
    const origin = bareOrigin(entry);
    if (origin) origins.add(origin);
    else invalid.push(String(entry));
  }
  if (invalid.length > 0) {
    throw new ConfigurationError(
      `${option} must list http(s) origins such as https://shop.example (scheme, host and port only); not: ${invalid.join(', ')}.`,
      { code: 'INVALID_REDIRECT_ORIGINS', issues: invalid.map((entry) => `${option}: "${entry}" is not an origin.`) },
    );
  }
  return [...origins];
}

/**
 * An adapter's `allowedRedirectOrigins` option read into its allow-list, or `fallback` when unset. A malformed
 * list is pushed onto the adapter's `issues` (reported with every other option problem at once), never thrown.
 */
export function readRedirectOriginsOption(
  value: string | readonly string[] | undefined,
  fallback: readonly string[],
  issues: string[],
): readonly string[] {
  if (value === undefined) return fallback;
  try {
    return parseRedirectOrigins(value);
  } catch {
    issues.push(
      'allowedRedirectOrigins (PAYMENT_REDIRECT_ORIGINS) must list http(s) origins such as https://shop.example.',
    );
    return fallback;
  }
}

/** `entry` as an origin when it is a bare http(s) origin (a trailing `/` allowed), else `null`. */
export function bareOrigin(entry: unknown): string | null {
  if (typeof entry !== 'string') return null;
  try {
    const url = new URL(entry);
    const bare = url.pathname === '/' && url.search === '' && url.hash === '' && !url.username && !url.password;
    return bare && (url.protocol === 'http:' || url.protocol === 'https:') ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * Refuses a per-request redirect URL whose origin is not on the allow-list.
 *
 * @example
 * ```ts
 * assertRedirectUrlAllowed('https://evil.example/phish', ['https://shop.example'], 'extra.successUrl')
 * // throws ValidationError REDIRECT_URL_NOT_ALLOWED
 * ```
 * @throws ValidationError `INVALID_REDIRECT_URL` (not an absolute http(s) URL) or `REDIRECT_URL_NOT_ALLOWED`.
 */
export function assertRedirectUrlAllowed(
  url: unknown,
  allowedOrigins: readonly string[],
  field: string,
  provider?: string,
): void {
  const origin = originOf(url);
  const context = { field, ...(provider === undefined ? {} : { provider }) };
  if (!origin) {
    throw new ValidationError(`${field} must be an absolute http(s) URL.`, {
      ...context,
      code: 'INVALID_REDIRECT_URL',
    });
  }
  if (!allowedOrigins.includes(origin)) {
    throw new ValidationError(
      `${field} points to ${origin}, which is not an allowed redirect origin. ` +
        (allowedOrigins.length === 0
          ? 'No per-request redirect URL is allowed: configure PAYMENT_REDIRECT_ORIGINS (allowedRedirectOrigins).'
          : `Allowed: ${allowedOrigins.join(', ')} (PAYMENT_REDIRECT_ORIGINS / allowedRedirectOrigins).`),
      { ...context, code: 'REDIRECT_URL_NOT_ALLOWED' },
    );
  }
}

/**
 * Checks every redirect URL in `extra` ({@link REDIRECT_URL_FIELDS}) against the allow-list. Absent and empty
 * fields are skipped (the adapter decides whether a channel needs one).
 *
 * @example
 * ```ts
 * assertRedirectUrlsAllowed({ successUrl: 'https://shop.example/paid' }, ['https://shop.example']) // passes
 * ```
 * @throws ValidationError naming the first field at fault.
 */
export function assertRedirectUrlsAllowed(
  extra: PaymentExtra | null | undefined,
  allowedOrigins: readonly string[],
  provider?: string,
): void {
  if (!extra || typeof extra !== 'object') return;
  for (const field of REDIRECT_URL_FIELDS) {
    const value = extra[field];
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) continue;
    assertRedirectUrlAllowed(value, allowedOrigins, `extra.${field}`, provider);
  }
}
