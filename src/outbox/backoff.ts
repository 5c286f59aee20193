/**
 * Retry delays of the outbox dispatcher: exponential with jitter, capped.
 * @module
 */

/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** Delay after the first failure, before jitter. @default 5000 */
  baseMs?: number;
  /** The longest delay. @default 3_600_000 (one hour) */
  maxMs?: number;
  /** Random source in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * The delay before retrying after the `attempt`-th failed delivery (1-based): `min(maxMs, baseMs · 2^(attempt−1))`,
 * of which the upper half is random ("equal jitter"), so a burst of failures spreads out instead of retrying in
 * lock-step, and no retry comes sooner than half the nominal delay.
 *
 * @example
 * ```ts
 * backoffDelay(1) // 2.5–5 s
 * backoffDelay(4) // 20–40 s
 * ```
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 5000;
  const max = options.maxMs ?? 3_600_000;
  const random = options.random ?? Math.random;
  const exponent = Math.min(Math.max(attempt, 1) - 1, 40);
  const nominal = Math.min(max, base * 2 ** exponent);
  return Math.round(nominal / 2 + random() * (nominal / 2));
}
