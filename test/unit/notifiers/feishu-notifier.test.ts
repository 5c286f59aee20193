import { afterEach, describe, expect, it } from 'vitest';
import { createPaymentFactory, createPaymentService } from '../../../src/index.js';
import { createFeishuNotifier, toFeishuCard } from '../../../src/notifiers/index.js';
import type { PaymentNotification } from '../../../src/service/hooks.js';
import type { AttemptRecord, OrderRecord } from '../../../src/persistence/records.js';
import { createFakeProvider } from '../../../src/testing/fake-provider.js';
import { createInMemoryRepositories } from '../../../src/testing/in-memory-repositories.js';
import { startFeishuBotServer, type FeishuBotServer } from './feishu-bot-server.js';
import { recordingLogger } from './recording-logger.js';

const SECRET = 'feishu-bot-secret-9f2c';
const TOKEN = 'b1c2d3e4-0000-4a4a-9c9c-token5e3d587e';

const servers: FeishuBotServer[] = [];
async function bot(options: { secret?: string } = {}): Promise<FeishuBotServer> {
  const server = await startFeishuBotServer(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const at = new Date('2026-03-01T08:00:00Z');
function order(overrides: Partial<OrderRecord> = {}): OrderRecord {
  return {
    orderId: 'order_1',
    userId: 'user_1',
    productId: 'course_1',
    listAmount: 1999,
    payableAmount: 1999,
    paidAmount: 1999,
    currency: 'USD',
    paymentChannel: 'stripe',
    sellerId: null,
    merchantAccountVersion: null,
    status: 'paid',
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}
function attempt(overrides: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    attemptId: 'att_1',
    orderId: 'order_1',
    providerKind: 'stripe',
    provider: 'stripe',
    channel: 'checkout_session',
    userId: 'user_1',
    productId: 'course_1',
    providerReference: 'cs_test_1',
    amount: 1999,
    currency: 'USD',
    status: 'paid',
    clientIp: null,
    expiresAt: null,
    livemode: false,
    result: null,
    raw: null,
    metadata: null,
    extra: null,
    failureCode: null,
    failureMessage: null,
    paymentIntentId: null,
    checkoutSessionId: null,
    latestChargeId: null,
    receiptUrl: null,
    paymentMethod: null,
    chargeId: null,
    appId: null,
    transactionId: null,
    rawStatus: null,
    rawRequest: null,
    rawNotification: null,
    merchantAccount: null,
    createdAt: at,
    updatedAt: at,
    paidAt: at,
    refundedAt: null,
    closedAt: null,
    failedAt: null,
    ...overrides,
  };
}
const paid = (o: Partial<OrderRecord> = {}): PaymentNotification => ({
  type: 'order.paid',
  order: order(o),
  attempt: attempt(),
  source: 'webhook',
});

describe('createFeishuNotifier', () => {
  it('posts a signed text message that verifies with the Feishu scheme', async () => {
    const server = await bot({ secret: SECRET });
    const logger = recordingLogger();
    const notify = createFeishuNotifier({ webhookUrl: server.hookUrl(TOKEN), secret: SECRET, logger, now: () => at });

    await notify(paid());

    expect(server.received).toHaveLength(1);
    const [message] = server.received;
    expect(message!.path).toBe(`/open-apis/bot/v2/hook/${TOKEN}`);
    expect(message!.contentType).toMatch(/^application\/json/);
    expect(message!.body).toMatchObject({ timestamp: String(at.getTime() / 1000), msg_type: 'text' });
    const text = (message!.body.content as { text: string }).text;
    expect(text.split('\n')).toEqual([
      'Order paid',
      'Amount: 19.99 USD',
      'Order: order_1',
      'User: user_1',
      'Product: course_1',
      'Provider: stripe (checkout_session)',
      'Attempt: att_1',
      'Source: webhook',
    ]);
    expect(logger.entries.filter((e) => e.level === 'error')).toEqual([]);
    expect(logger.entries.map((e) => e.message)).toContain('feishu notification sent');
  });

  it('sends neither timestamp nor sign without a secret', async () => {
    const server = await bot();
    await createFeishuNotifier({ webhookUrl: server.hookUrl(TOKEN), logger: recordingLogger() })(paid());
    expect(Object.keys(server.received[0]!.body).sort()).toEqual(['content', 'msg_type']);
  });

  it('shows money in major units of the order currency', async () => {
    const server = await bot();
    const notify = createFeishuNotifier({ webhookUrl: server.hookUrl(TOKEN), logger: recordingLogger() });
    await notify(paid({ paidAmount: 500, payableAmount: 500, currency: 'JPY' }));
    await notify(paid({ paidAmount: 1234, payableAmount: 1234, currency: 'BHD' }));
    await notify(paid({ paidAmount: 9900, payableAmount: 9900, currency: 'CNY' }));
    const amounts = server.received.map((m) => (m.body.content as { text: string }).text.split('\n')[1]);
    expect(amounts).toEqual(['Amount: 500 JPY', 'Amount: 1.234 BHD', 'Amount: 99.00 CNY']);
  });

  it('sends only order.paid by default and other types when asked', async () => {
    const server = await bot();
    const refunded: PaymentNotification = {
      type: 'order.refunded',
      order: order({ status: 'refunded' }),
      attempt: attempt(),
      refund: {
        refundId: 'rf_1',
        providerRefundId: 're_1',
        orderId: 'order_1',
        attemptId: 'att_1',
        provider: 'stripe',
        amount: 999,
        currency: 'USD',
        status: 'succeeded',
        reason: 'requested_by_customer',
        raw: null,
        createdAt: at,
        updatedAt: at,
      },
      fullyRefunded: false,
      source: 'refund',
    };
    await createFeishuNotifier({ webhookUrl: server.hookUrl(TOKEN), logger: recordingLogger() })(refunded);
    expect(server.received).toHaveLength(0);

    await createFeishuNotifier({
      webhookUrl: server.hookUrl(TOKEN),
      logger: recordingLogger(),
      types: ['order.refunded'],
    })(refunded);
    const text = (server.received[0]!.body.content as { text: string }).text;
    expect(text).toContain('Order partially refunded');
    expect(text).toContain('Refund: 9.99 USD');
    expect(text).toContain('Reason: requested_by_customer');
  });

  it('uses a custom format: a string becomes text, a card is sent as is, null skips', async () => {
    const server = await bot({ secret: SECRET });
    const logger = recordingLogger();
    const base = { webhookUrl: server.hookUrl(TOKEN), secret: SECRET, logger };
    await createFeishuNotifier({ ...base, format: (n) => `paid ${n.order.orderId}` })(paid());
    await createFeishuNotifier({ ...base, format: toFeishuCard })(paid());
    await createFeishuNotifier({ ...base, format: () => null })(paid());

    expect(server.received.map((m) => m.body.msg_type)).toEqual(['text', 'interactive']);
    expect(server.received[0]!.body.content).toEqual({ text: 'paid order_1' });
    const card = server.received[1]!.body.card as { header: { template: string; title: { content: string } } };
    expect(card.header).toMatchObject({ template: 'green', title: { content: 'Order paid' } });
    expect(logger.entries.filter((e) => e.level === 'error')).toEqual([]);
  });

  it('reports a refused signature (HTTP 200, non-zero code) without throwing or leaking credentials', async () => {
    const server = await bot({ secret: SECRET });
    const logger = recordingLogger();
    const notify = createFeishuNotifier({ webhookUrl: server.hookUrl(TOKEN), secret: 'wrong-secret-value', logger });

    await expect(notify(paid())).resolves.toBeUndefined();

    const errors = logger.entries.filter((e) => e.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.fields).toMatchObject({
      reason: 'feishu_error',
      code: 19021,
      orderId: 'order_1',
      target: new URL(server.url).host,
    });
    expect(logger.text()).not.toContain(TOKEN);
    expect(logger.text()).not.toContain('wrong-secret-value');
  });

  it('reports a non-2xx answer', async () => {
    const server = await bot();
    server.behaviour = 'http_500';
    const logger = recordingLogger();
    await createFeishuNotifier({ webhookUrl: server.hookUrl(TOKEN), logger })(paid());
    expect(logger.entries.find((e) => e.level === 'error')?.fields).toMatchObject({
      reason: 'http_status',
      status: 500,
    });
  });

  it('accepts a 2xx answer that is not JSON', async () => {
    const server = await bot();
    server.behaviour = 'not_json';
    const logger = recordingLogger();
    await createFeishuNotifier({ webhookUrl: server.hookUrl(TOKEN), logger })(paid());
    expect(server.received).toHaveLength(1);
    expect(logger.entries.filter((e) => e.level === 'error')).toEqual([]);
    expect(logger.entries.map((e) => e.message)).toContain('feishu notification sent');
  });

  it('gives up after timeoutMs on a bot that never answers and reports a timeout', async () => {
    const server = await bot();
    server.behaviour = 'hang';
    const logger = recordingLogger();
    await expect(
      createFeishuNotifier({ webhookUrl: server.hookUrl(TOKEN), timeoutMs: 200, logger })(paid()),
    ).resolves.toBeUndefined();
    expect(server.received).toHaveLength(1);
    expect(logger.entries.find((e) => e.level === 'error')?.fields).toMatchObject({
      reason: 'timeout',
      timeoutMs: 200,
    });
  });

  it('reports an unreachable bot without the token in the log', async () => {
    const server = await bot();
    const url = server.hookUrl(TOKEN);
    await server.close();
    servers.length = 0;
    const logger = recordingLogger();
    await createFeishuNotifier({ webhookUrl: url, secret: SECRET, logger })(paid());
    expect(logger.entries.find((e) => e.level === 'error')?.fields).toMatchObject({ reason: 'network_error' });
    expect(logger.text()).not.toContain(TOKEN);
    expect(logger.text()).not.toContain(SECRET);
  });

  it('reports a throwing format as a failure, before any request, with the credentials cut out', async () => {
    const server = await bot();
    const logger = recordingLogger();
    const format = (): string => {
      throw new Error(`cannot render for ${server.hookUrl(TOKEN)} (token ${TOKEN}, secret ${SECRET})`);
    };
    await createFeishuNotifier({ webhookUrl: server.hookUrl(TOKEN), secret: SECRET, logger, format })(paid());
    expect(server.received).toHaveLength(0);
    expect(logger.entries.find((e) => e.level === 'error')?.fields).toMatchObject({
      reason: 'format_failed',
      error: {
        name: 'Error',
        message: 'cannot render for [redacted] (token [redacted], secret [redacted])',
      },
    });
    expect(logger.text()).not.toContain(TOKEN);
    expect(logger.text()).not.toContain(SECRET);
  });

  it('runs as an after-commit hook: a paid webhook posts once, a failing bot leaves the order paid', async () => {
    const server = await bot({ secret: SECRET });
    const fake = createFakeProvider();
    const logger = recordingLogger();
    const service = createPaymentService({
      factory: createPaymentFactory({ providers: [fake] }),
      repositories: createInMemoryRepositories(),
      notificationDelivery: 'inline',
      hooks: { afterCommit: createFeishuNotifier({ webhookUrl: server.hookUrl(TOKEN), secret: SECRET, logger }) },
    });
    const pay = async (): Promise<OrderRecord> => {
      const created = await service.initOrder({
        userId: `u_${server.received.length}`,
        productId: 'course',
        payableAmount: 4200,
        currency: 'CNY',
      });
      const dto = await service.createCharge({ orderId: created.orderId, channel: 'fake_qr' });
      const reference = dto.paymentPayload!.attemptId;
      fake.pay(reference);
      const webhook = fake.webhook(reference);
      const result = await service.handleWebhook({ provider: 'fake', ...webhook });
      expect(result.outcome).toBe('applied');
      await service.handleWebhook({ provider: 'fake', ...webhook }); // a redelivery notifies nobody
      return (await service.getOrder(created.orderId))!;
    };

    const first = await pay();
    expect(server.received).toHaveLength(1);
    expect((server.received[0]!.body.content as { text: string }).text).toContain(`Order: ${first.orderId}`);
    expect((server.received[0]!.body.content as { text: string }).text).toContain('Amount: 42.00 CNY');

    server.behaviour = 'http_500';
    const second = await pay();
    expect(second.status).toBe('paid');
    expect(logger.entries.filter((e) => e.level === 'error')).toHaveLength(1);
  });
});
