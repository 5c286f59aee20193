/**
 * Webhook verification plus normalisation vs the bare check it is built on:
 * - Stripe: `createStripeWebhookVerifier` vs the SDK's `Stripe.webhooks.constructEvent` alone;
 * - Ping++: `createPingxxWebhookVerifier` vs `crypto.verify('RSA-SHA256', …)` + `JSON.parse` alone.
 * Values are verifications per second, one at a time.
 * @module
 */
import { createPublicKey, verify } from 'node:crypto';
import Stripe from 'stripe';
import { createPingxxWebhookVerifier } from '../src/pingxx/index.js';
import { createStripeWebhookVerifier } from '../src/stripe/index.js';
import { generatePingxxTestKeyPair, signPingxxWebhook } from '../src/testing/pingxx-signer.js';
import { interleaved, throughput, type Comparison } from './measure.js';
import { BENCH_WEBHOOK_SECRET, signDeliveries } from './stripe-events.js';

const id = (i: number) => i.toString(16).padStart(32, '0');

/** Stripe and Ping++ comparisons. */
export async function verifyBench(plan: {
  rounds: number;
  batch: number;
}): Promise<{ stripe: Comparison; pingxx: Comparison }> {
  const payments = Array.from({ length: plan.batch }, (_, i) => ({
    orderId: id(i),
    attemptId: id(i + 1e6),
    amount: 1999,
  }));
  const stripeVerifier = createStripeWebhookVerifier({ webhookSecret: BENCH_WEBHOOK_SECRET });
  const stripe = async (library: boolean) => {
    const deliveries = signDeliveries(payments, 'verify');
    return throughput(deliveries, 1, async (d) =>
      library
        ? stripeVerifier({ rawBody: d.rawBody, headers: d.headers })
        : Stripe.webhooks.constructEvent(d.rawBody, d.headers['stripe-signature'], BENCH_WEBHOOK_SECRET),
    );
  };
  await stripe(true);
  await stripe(false);
  const stripeResult = await interleaved(
    plan.rounds,
    () => stripe(true),
    () => stripe(false),
  );

  const keys = generatePingxxTestKeyPair('bench');
  const pingxxVerifier = createPingxxWebhookVerifier({ webhookPublicKey: keys.publicKey });
  const publicKey = createPublicKey(keys.publicKey);
  const signed = payments.map((p, i) =>
    signPingxxWebhook(
      {
        id: `evt_${p.attemptId}`,
        object: 'event',
        type: 'charge.succeeded',
        created: 1_767_000_000 + i,
        livemode: false,
        pending_webhooks: 0,
        request: `iar_${p.attemptId.slice(0, 20)}`,
        data: {
          object: {
            id: `ch_${p.attemptId.slice(0, 24)}`,
            object: 'charge',
            created: 1_767_000_000 + i,
            livemode: false,
            paid: true,
            refunded: false,
            app: 'app_1Gqj58ynP0mHeX1q',
            channel: 'alipay_qr',
            order_no: p.attemptId,
            client_ip: '127.0.0.1',
            amount: p.amount,
            amount_settle: p.amount,
            currency: 'cny',
            subject: 'Course',
            body: 'Advanced TypeScript for payment engineers',
            time_paid: 1_767_000_000 + i,
            transaction_no: `2026${p.attemptId.slice(0, 20)}`,
            metadata: { order_bid: p.orderId },
            credential: {},
            extra: {},
          },
        },
      },
      keys.privateKey,
    ),
  );
  const pingxx = (library: boolean) =>
    throughput(signed, 1, async (d) => {
      if (library) return pingxxVerifier({ rawBody: d.rawBody, headers: d.headers });
      const signature = Buffer.from(d.headers['x-pingplusplus-signature'], 'base64');
      if (!verify('RSA-SHA256', Buffer.from(d.rawBody), publicKey, signature)) throw new Error('bench: bad signature');
      return JSON.parse(d.rawBody) as unknown;
    });
  await pingxx(true);
  await pingxx(false);
  const pingxxResult = await interleaved(
    plan.rounds,
    () => pingxx(true),
    () => pingxx(false),
  );
  return { stripe: stripeResult, pingxx: pingxxResult };
}
