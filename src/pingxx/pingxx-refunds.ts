/**
 * Refunds on Ping++, which takes no idempotency key: a refund carries our refund id in
 * `metadata.refund_bid`, and a retried refund is recognised by listing the charge's refunds first.
 * @module
 */
import { ValidationError } from '../core/errors.js';
import { echo } from '../core/input-guards.js';
import { assertMinorUnits, normalizeCurrency } from '../core/money.js';
import type { RefundRequest, RefundResult } from '../core/types.js';
import type { PingxxClient } from './pingxx-client.js';
import { toProviderRefund } from './pingxx-events.js';
import { cleanPingxxText } from './pingxx-text.js';
import type { PingxxRefund, PingxxRefundParams } from './pingxx-types.js';
import { copyStringMetadata } from './pingxx-values.js';

/** Refunds per page when looking for an existing refund, and the most pages read. */
const REFUND_PAGE_SIZE = 100;
const REFUND_MAX_PAGES = 50;
/** Ping++ limit on a refund's `description`, in characters. */
const REFUND_DESCRIPTION_MAX = 255;

/**
 * Validates a refund request and builds the Ping++ refund body: the amount (always sent, so a retry never
 * turns into "refund the rest"), a cleaned `description` (required by Ping++; the reason, else
 * `Refund <refundId>`), and metadata carrying our `refund_bid`.
 * @throws ValidationError naming the field at fault.
 */
export function buildPingxxRefundParams(
  request: RefundRequest,
  provider: string,
): PingxxRefundParams & { metadata: Record<string, string> } {
  const fail = (field: string, message: string): never => {
    throw new ValidationError(`Ping++: ${message}`, { field, code: 'INVALID_PINGXX_REFUND', provider });
  };
  if (typeof request.refundId !== 'string' || request.refundId.trim() === '') fail('refundId', 'refundId is required.');
  assertMinorUnits(request.amount);
  if (request.amount <= 0) fail('amount', 'a refund amount must be at least 1 fen.');
  if (normalizeCurrency(request.currency) !== 'CNY')
    fail('currency', `Ping++ refunds in CNY only, not ${echo(request.currency)}.`);
  const metadata = copyStringMetadata(request.metadata, fail);
  // Ping++ refunds take no idempotency key: this is how a retried refund is recognised (see findPingxxRefund).
  metadata.refund_bid = request.refundId;
  const description =
    cleanPingxxText(request.reason ?? '', REFUND_DESCRIPTION_MAX) ||
    cleanPingxxText(`Refund ${request.refundId}`, REFUND_DESCRIPTION_MAX);
  return { amount: request.amount, description, metadata };
}

/**
 * Finds a refund of `chargeId` carrying `metadata.refund_bid === refundId`. Ping++ has no idempotency
 * keys, so this lookup is what makes a retried refund (after a timeout, a crash) return the first one
 * instead of refunding twice. Concurrent first attempts are kept apart by the service's refund ledger.
 */
export async function findPingxxRefund(
  client: PingxxClient,
  chargeId: string,
  refundId: string,
  signal: AbortSignal | undefined,
): Promise<PingxxRefund | null> {
  let startingAfter: string | undefined;
  for (let page = 0; page < REFUND_MAX_PAGES; page += 1) {
    const list = await client.listRefunds(
      chargeId,
      startingAfter === undefined
        ? { limit: REFUND_PAGE_SIZE }
        : { limit: REFUND_PAGE_SIZE, starting_after: startingAfter },
      { signal },
    );
    const found = list.data.find((refund) => refund.metadata?.refund_bid === refundId);
    if (found) return found;
    const last = list.data.at(-1)?.id;
    if (!list.has_more || last === undefined || last === startingAfter) return null;
    startingAfter = last;
  }
  return null;
}

/** A Ping++ refund as a {@link RefundResult}. */
export function toRefundResult(refund: PingxxRefund, refundId: string, provider: string): RefundResult {
  const normalized = toProviderRefund(refund);
  return {
    provider,
    refundId,
    providerRefundId: refund.id,
    status: normalized.status,
    amount: refund.amount,
    currency: 'CNY',
    raw: refund,
  };
}
