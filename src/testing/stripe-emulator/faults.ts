/**
 * Failure injection for the emulator: refuse the next requests with a status, delay them, or act and
 * then drop the connection without answering.
 * @module
 */

/** Which requests a fault applies to. Unset fields match everything. */
export interface FaultScope {
  /** How many matching requests the fault applies to. @default 1 */
  count?: number;
  /** Path prefix, e.g. `/v1/payment_intents` or `/v1/refunds`. */
  path?: string;
  /** HTTP method, e.g. `POST`. */
  method?: string;
}

/** An error response to send instead of handling a request (nothing is done). */
export interface FailureFault extends FaultScope {
  /** HTTP status: 500/502/503 (`api_error`), 429 (`rate_limit`), 401, 402 (`card_error`), 403, 400, 409. */
  status: number;
  /** Stripe error `type`; derived from `status` when unset. */
  type?: string;
  /** Error code. */
  code?: string;
  /** Decline code. */
  declineCode?: string;
  /** Human-readable explanation. */
  message?: string;
}

type Kind = 'fail' | 'delay' | 'drop';

interface Entry {
  kind: Kind;
  scope: FaultScope;
  remaining: number;
  failure?: FailureFault;
  delayMs?: number;
}

/** The queue of pending faults. The first matching entry of each kind applies. */
export class FaultQueue {
  private entries: Entry[] = [];

  add(kind: Kind, scope: FaultScope, extra: { failure?: FailureFault; delayMs?: number } = {}): void {
    const remaining = scope.count ?? 1;
    if (!Number.isInteger(remaining) || remaining < 1) throw new Error('Fault count must be a positive integer.');
    this.entries.push({ kind, scope, remaining, ...extra });
  }

  /** Takes (consumes one use of) the first fault of `kind` matching the request, if any. */
  take(kind: Kind, method: string, path: string): Entry | undefined {
    const entry = this.entries.find(
      (e) =>
        e.kind === kind &&
        (e.scope.method === undefined || e.scope.method.toUpperCase() === method) &&
        (e.scope.path === undefined || path.startsWith(e.scope.path)),
    );
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.entries = this.entries.filter((e) => e !== entry);
    return entry;
  }

  clear(): void {
    this.entries = [];
  }
}

/** Stripe's error body for an injected failure. */
export function failureBody(fault: FailureFault): { [key: string]: unknown } {
  const type = fault.type ?? defaultType(fault.status);
  const body: { [key: string]: unknown } = {
    type,
    message: fault.message ?? defaultMessage(fault.status),
  };
  if (fault.code !== undefined) body.code = fault.code;
  else if (fault.status === 429) body.code = 'rate_limit';
  else if (fault.status === 402) body.code = 'card_declined';
  if (fault.declineCode !== undefined) body.decline_code = fault.declineCode;
  else if (fault.status === 402) body.decline_code = 'generic_decline';
  return body;
}

function defaultType(status: number): string {
  if (status === 402) return 'card_error';
  if (status === 409) return 'idempotency_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

function defaultMessage(status: number): string {
  switch (status) {
    case 401:
      return 'Invalid API Key provided.';
    case 402:
      return 'Your card was declined.';
    case 403:
      return 'The provided key does not have the required permissions for this endpoint.';
    case 429:
      return 'Too many requests hit the API too quickly.';
    default:
      return status >= 500 ? 'An unknown error occurred.' : 'Invalid request.';
  }
}
