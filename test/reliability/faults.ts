/**
 * Provider faults: for Stripe, Ping++, WeChat Pay and native Alipay, a charge and then a refund each meet a 5xx, a 429, a timeout
 * (the provider acts, the answer comes too late) and a connection dropped after the provider acted. The
 * call must fail with a retryable typed error (or succeed), the application's retry must reuse the same
 * attempt / refund id, the payer pays, `reconcile` records it — and the emulator must hold exactly one
 * charge and one refund for the order, with one committed `onOrderPaid`.
 * @module
 */
import { sql, type Kysely } from 'kysely';
import { isPaymentError, type PaymentService } from '../../src/index.js';
import type { UntypedDatabase } from '../../src/kysely/schema.js';
import type { AlipayEmulator, PingxxEmulator, StripeEmulator, WechatPayEmulator } from '../../src/testing/index.js';
import { REFUND_CALL_LEASE_MS } from '../../src/service/refund.js';
import { HOOK_TABLE } from './payment-env.js';

/** A fault kind of the list. */
export type FaultKind = '5xx' | '429' | 'timeout' | 'drop';

const KINDS: readonly FaultKind[] = ['5xx', '429', 'timeout', 'drop'];

/** How long the emulator holds an answer in the timeout faults (the providers time out sooner). */
export const FAULT_DELAY_MS = 1_500;

/** What the faults phase needs. */
export interface FaultContext {
  service: PaymentService<Kysely<UntypedDatabase>>;
  db: Kysely<UntypedDatabase>;
  stripe: StripeEmulator;
  pingxx: PingxxEmulator;
  wechatpay: WechatPayEmulator;
  alipay: AlipayEmulator;
  /** Moves the service's clock forward (past the refund-call lease). */
  advanceClock(ms: number): void;
  /** Every error the phase caught (the secrets scan reads them). */
  errors: unknown[];
}

/** The result of the phase. */
export interface FaultVerdict {
  total: number;
  survived: number;
  failures: string[];
}

type FaultProvider = 'stripe' | 'pingxx' | 'wechatpay' | 'alipay';

function inject(ctx: FaultContext, provider: FaultProvider, operation: 'create' | 'refund', kind: FaultKind) {
  if (provider === 'stripe') {
    const scope = { method: 'POST', path: operation === 'create' ? '/v1/payment_intents' : '/v1/refunds' };
    if (kind === '5xx') ctx.stripe.failNext({ ...scope, status: 500 });
    else if (kind === '429') ctx.stripe.failNext({ ...scope, status: 429 });
    else if (kind === 'timeout') ctx.stripe.delayNext(FAULT_DELAY_MS, scope);
    else ctx.stripe.dropConnectionAfterActing(scope);
    return;
  }
  if (provider === 'wechatpay') {
    // The service passes the payment's total, so a refund is one call: the fault hits it.
    const controls = ctx.wechatpay.controls;
    if (kind === '5xx') controls.failNext({ status: 500, code: 'SYSTEM_ERROR', message: '系统错误' });
    else if (kind === '429') controls.failNext({ status: 429, code: 'FREQUENCY_LIMITED', message: '频率超限' });
    else if (kind === 'timeout') controls.delayNext(FAULT_DELAY_MS);
    else controls.dropConnectionAfterActing();
    return;
  }
  if (provider === 'alipay') {
    // Scoped to the OpenAPI method, so a query the adapter makes on the way does not take the fault.
    const method = operation === 'create' ? 'alipay.trade.precreate' : 'alipay.trade.refund';
    const controls = ctx.alipay.controls;
    if (kind === '5xx') controls.failNext({ status: 502, method });
    else if (kind === '429') controls.failNext({ status: 429, method });
    else if (kind === 'timeout') controls.delayNext(FAULT_DELAY_MS, { method });
    else controls.dropConnectionAfterActing({ method });
    return;
  }
  const controls = ctx.pingxx.controls;
  // A Ping++ refund first lists the charge's refunds (no idempotency keys there); let that read through
  // with the true answer (none yet) so the fault hits the create.
  if (operation === 'refund') controls.failNext({ status: 200, body: { object: 'list', has_more: false, data: [] } });
  if (kind === '5xx') controls.failNext({ status: 503 });
  else if (kind === '429') controls.failNext({ status: 429 });
  else if (kind === 'timeout') controls.delayNext(FAULT_DELAY_MS);
  else controls.dropConnectionAfterActing();
}

function clearFaults(ctx: FaultContext): void {
  ctx.stripe.clearFaults();
  ctx.pingxx.controls.reset();
  ctx.wechatpay.controls.reset();
  ctx.alipay.controls.reset();
}

/** A call that met a fault must fail retryably (or be absorbed); anything else is a finding. */
function checkFailure(ctx: FaultContext, label: string, outcome: unknown, failures: string[]): boolean {
  if (outcome === undefined) return true;
  ctx.errors.push(outcome);
  if (isPaymentError(outcome) && outcome.retryable) return true;
  const name =
    outcome instanceof Error ? `${outcome.name} ${(outcome as { code?: string }).code ?? ''}` : typeof outcome;
  failures.push(`${label}: the fault surfaced as ${name.trim()}, not a retryable error`);
  return false;
}

const settle = <T>(promise: Promise<T>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error ?? new Error('rejected'),
  );

async function hookRows(db: Kysely<UntypedDatabase>, orderId: string): Promise<number> {
  const { rows } = await sql<{
    n: number | string;
  }>`select count(*) as n from ${sql.table(HOOK_TABLE)} where order_bid = ${orderId}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

async function scenario(
  ctx: FaultContext,
  provider: FaultProvider,
  kind: FaultKind,
  index: number,
): Promise<{ survived: number; failures: string[] }> {
  const failures: string[] = [];
  const label = (operation: string) => `${provider} ${operation} ${kind}`;
  let survived = 0;
  const order = await ctx.service.initOrder({
    userId: `fault-user-${provider}-${kind}-${index}`,
    productId: 'fault-course',
    payableAmount: 4200 + index,
    currency: provider === 'stripe' ? 'USD' : 'CNY',
  });
  const charge = {
    orderId: order.orderId,
    channel: {
      stripe: 'stripe:payment_intent',
      pingxx: 'pingxx:alipay_qr',
      wechatpay: 'wx_pub_qr',
      alipay: 'alipay:alipay_qr',
    }[provider],
    clientIp: '127.0.0.1',
  };

  // 1. The charge meets the fault, the application retries it.
  inject(ctx, provider, 'create', kind);
  let ok = checkFailure(ctx, label('charge'), await settle(ctx.service.createCharge(charge)), failures);
  clearFaults(ctx);
  if (kind === 'timeout') await new Promise((resolve) => setTimeout(resolve, FAULT_DELAY_MS));
  const retried = await settle(ctx.service.createCharge(charge));
  if (retried !== undefined) {
    ctx.errors.push(retried);
    failures.push(`${label('charge')}: the retry failed (${describe(retried)})`);
    return { survived, failures };
  }
  const attempts = await ctx.service.repositories.attempts.listByOrder(order.orderId);
  const attemptIds = attempts.map((a) => a.attemptId);
  const remote =
    provider === 'stripe'
      ? ctx.stripe.list('payment_intent').filter((pi) => attemptIds.includes(pi.metadata['stripe_order_bid'] ?? ''))
      : provider === 'pingxx'
        ? ctx.pingxx.controls.charges().filter((c) => attemptIds.includes(c.order_no))
        : provider === 'alipay'
          ? ctx.alipay.controls
              .trades()
              .filter((t) => attemptIds.includes(t.outTradeNo))
              .map((t) => ({ id: t.outTradeNo }))
          : ctx.wechatpay.controls
              .orders()
              .filter((o) => attemptIds.includes(o.outTradeNo))
              .map((o) => ({ id: o.outTradeNo }));
  if (attempts.length !== 1) {
    ok = false;
    failures.push(
      `${label('charge')}: ${attempts.length} attempts after the retry (the first was ${attempts[0]?.status})`,
    );
  }
  if (remote.length !== 1) {
    ok = false;
    failures.push(`${label('charge')}: ${remote.length} charges at the emulator`);
  }
  const reference = remote[0]?.id;
  if (!reference) return { survived, failures };

  // 2. The payer pays; reconcile pulls the truth.
  if (provider === 'stripe') ctx.stripe.succeedPayment(reference);
  else if (provider === 'pingxx') ctx.pingxx.controls.payCharge(reference);
  else if (provider === 'alipay') ctx.alipay.controls.pay(reference);
  else ctx.wechatpay.controls.pay(reference);
  await ctx.service.reconcile({ olderThan: 0, limit: 1000 });
  const paid = await ctx.service.getOrder(order.orderId);
  const hooks = await hookRows(ctx.db, order.orderId);
  if (paid?.status !== 'paid' || hooks !== 1) {
    ok = false;
    failures.push(`${label('charge')}: after reconcile the order is ${paid?.status} with ${hooks} onOrderPaid rows`);
  }
  if (ok) survived += 1;

  // 3. The refund meets the fault; the application retries with the same refund id after the call lease.
  const refundInput = { orderId: order.orderId, refundId: `rf${order.orderId}`.slice(0, 32) };
  inject(ctx, provider, 'refund', kind);
  ok = checkFailure(ctx, label('refund'), await settle(ctx.service.refund(refundInput)), failures);
  clearFaults(ctx);
  if (kind === 'timeout') await new Promise((resolve) => setTimeout(resolve, FAULT_DELAY_MS));
  ctx.advanceClock(REFUND_CALL_LEASE_MS + 1_000);
  const refundRetry = await settle(ctx.service.refund(refundInput));
  if (refundRetry !== undefined) {
    ctx.errors.push(refundRetry);
    failures.push(`${label('refund')}: the retry failed (${describe(refundRetry)})`);
    return { survived, failures };
  }
  const refunds =
    provider === 'stripe'
      ? ctx.stripe.list('refund').filter((r) => r.payment_intent === reference)
      : provider === 'pingxx'
        ? (ctx.pingxx.controls.getCharge(reference)?.refunds?.data ?? [])
        : provider === 'alipay'
          ? (ctx.alipay.controls.getTrade(reference)?.refunds ?? [])
          : (ctx.wechatpay.controls.getOrder(reference)?.refunds ?? []);
  const refunded = await ctx.service.getOrder(order.orderId);
  if (refunds.length !== 1) {
    ok = false;
    failures.push(`${label('refund')}: ${refunds.length} refunds at the emulator`);
  }
  if (refunded?.status !== 'refunded') {
    ok = false;
    failures.push(`${label('refund')}: the order is ${refunded?.status} after the retried refund`);
  }
  if (ok) survived += 1;
  return { survived, failures };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Runs every fault of the list against every provider, for charges and refunds. */
export async function runProviderFaults(ctx: FaultContext): Promise<FaultVerdict> {
  const verdict: FaultVerdict = { total: 0, survived: 0, failures: [] };
  let index = 0;
  for (const provider of ['stripe', 'pingxx', 'wechatpay', 'alipay'] as const) {
    for (const kind of KINDS) {
      verdict.total += 2;
      try {
        const result = await scenario(ctx, provider, kind, index++);
        verdict.survived += result.survived;
        verdict.failures.push(...result.failures);
      } catch (error) {
        ctx.errors.push(error);
        verdict.failures.push(`${provider} ${kind}: ${describe(error)}`);
      } finally {
        clearFaults(ctx);
      }
    }
  }
  return verdict;
}
