/**
 * The reliability suite's own instruments can fail: the counters report a lost or doubled payment when the
 * database holds one, and the mutation sampler produces real, distinct forgeries (including the ones
 * issue 11 names: a BOM before the JSON, a stale but correctly signed timestamp).
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentFactory, createPaymentService } from '../../../src/index.js';
import { createKyselyFromUrl, createKyselyRepositories, migrateToLatest } from '../../../src/kysely/index.js';
import type { UntypedDatabase } from '../../../src/kysely/schema.js';
import { createFakeProvider } from '../../../src/testing/fake-provider.js';
import { signStripeWebhook } from '../../../src/testing/stripe-signer.js';
import type { DeliveryResult, LoadOrder } from '../../reliability/load.js';
import { sampleMutations } from '../../reliability/mutations.js';
import { createHookTable, HOOK_TABLE } from '../../reliability/payment-env.js';
import { verifyLoad } from '../../reliability/verify.js';

describe('verifyLoad', () => {
  let db: Kysely<UntypedDatabase>;
  let order: LoadOrder;
  let results: DeliveryResult[];

  beforeAll(async () => {
    db = await createKyselyFromUrl<UntypedDatabase>(':memory:');
    await migrateToLatest(db);
    await createHookTable(db);
    const fake = createFakeProvider();
    const service = createPaymentService({
      factory: createPaymentFactory({ providers: [fake] }),
      repositories: createKyselyRepositories(db),
    });
    const created = await service.initOrder({ userId: 'u', productId: 'p', payableAmount: 500, currency: 'USD' });
    const dto = await service.createCharge({ orderId: created.orderId });
    const attemptId = dto.paymentPayload!.attemptId;
    const webhook = fake.webhook(attemptId);
    const outcome = (await service.handleWebhook({ provider: 'fake', ...webhook })).outcome;
    order = {
      orderId: created.orderId,
      attemptId,
      provider: 'stripe',
      channel: 'fake_qr',
      reference: 'ref',
      account: null,
    };
    const delivery = {
      provider: 'stripe' as const,
      orderId: created.orderId,
      eventId: webhook.eventId,
      rawBody: '',
      headers: {},
      path: '/webhooks/fake',
    };
    results = [{ delivery, outcome, lastStatus: 200, tries: 1, failures: {} }];
  });
  afterAll(async () => {
    await db.destroy();
  });

  const hookRows = async (n: number) => {
    await sql`delete from ${sql.table(HOOK_TABLE)}`.execute(db);
    for (let i = 0; i < n; i += 1)
      await sql`insert into ${sql.table(HOOK_TABLE)} (order_bid, event_id, worker) values (${order.orderId}, ${'e'}, ${'w'})`.execute(
        db,
      );
  };

  it('is clean for one paid order with one hook row', async () => {
    await hookRows(1);
    await expect(verifyLoad(db, [order], results)).resolves.toEqual({ lost: 0, doubled: 0, problems: [] });
  });

  it('counts a second committed onOrderPaid as doubled', async () => {
    await hookRows(2);
    expect(await verifyLoad(db, [order], results)).toMatchObject({ lost: 0, doubled: 1 });
  });

  it('counts a missing hook row, an unanswered delivery and an unjournaled event as lost', async () => {
    await hookRows(0);
    const unanswered = { ...results[0]!, outcome: null, lastStatus: 503 };
    const ghost = {
      ...results[0]!,
      delivery: { ...results[0]!.delivery, eventId: 'evt_never_journaled' },
      outcome: 'duplicate',
    };
    const verdict = await verifyLoad(db, [order], [...results, unanswered, ghost]);
    expect(verdict.lost).toBe(3);
    expect(verdict.problems).toHaveLength(3);
  });

  it('counts an order two deliveries were told "applied" for as doubled', async () => {
    await hookRows(1);
    expect(await verifyLoad(db, [order], [...results, ...results])).toMatchObject({ doubled: 1 });
  });
});

describe('sampleMutations', () => {
  const rawBody = JSON.stringify({
    id: 'evt_1',
    type: 'payment_intent.succeeded',
    data: { object: { amount: 500, currency: 'usd' } },
  });
  const secret = 'whsec_unit';
  const original = {
    provider: 'stripe' as const,
    rawBody,
    headers: { ...signStripeWebhook(rawBody, secret).headers },
    otherHeaders: { ...signStripeWebhook('{"id":"evt_2"}', secret).headers },
    signAt: (body: string, t: number) => ({ ...signStripeWebhook(body, secret, { timestamp: t }).headers }),
  };

  it('changes the bytes or the signature of every sample, deterministically for a seed', () => {
    const mutations = sampleMutations(original, 500, 42);
    expect(mutations).toHaveLength(500);
    for (const m of mutations) {
      expect(
        m.body.equals(Buffer.from(rawBody)) && JSON.stringify(m.headers) === JSON.stringify(original.headers),
      ).toBe(false);
    }
    expect(sampleMutations(original, 20, 42).map((m) => m.label)).toEqual(mutations.slice(0, 20).map((m) => m.label));
  });

  it('includes the forgeries issue 11 names', () => {
    const labels = sampleMutations(original, 1000, 7)
      .map((m) => m.label)
      .join('\n');
    for (const kind of [
      'bom before the JSON',
      'correctly signed but stale',
      'signed with another secret',
      'bit flip',
      'JSON amount edited',
    ]) {
      expect(labels).toContain(kind);
    }
  });
});
