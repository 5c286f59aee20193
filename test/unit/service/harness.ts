/** Shared set-up for service tests on in-memory repositories and the fake provider. */
import { vi } from 'vitest';
import {
  createPaymentFactory,
  createPaymentService,
  type PaymentAnomaly,
  type PaymentHooks,
  type PaymentNotification,
  type PaymentServiceOptions,
} from '../../../src/index.js';
import { createFakeProvider, type FakeProvider } from '../../../src/testing/fake-provider.js';
import { createInMemoryRepositories } from '../../../src/testing/in-memory-repositories.js';

export interface Harness {
  fake: FakeProvider;
  repositories: ReturnType<typeof createInMemoryRepositories>;
  service: ReturnType<typeof createPaymentService<null>>;
  clock: { now: Date; advance(ms: number): void };
  paid: ReturnType<typeof vi.fn>;
  refunded: ReturnType<typeof vi.fn>;
  failed: ReturnType<typeof vi.fn>;
  notifications: PaymentNotification[];
  anomalies: PaymentAnomaly[];
  logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
}

export function createHarness(
  overrides: { hooks?: PaymentHooks<null>; options?: Partial<PaymentServiceOptions<null>> } = {},
): Harness {
  const clock = {
    now: new Date('2026-11-26T08:00:00Z'),
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const fake = createFakeProvider();
  const repositories = createInMemoryRepositories({ now: () => clock.now });
  const notifications: PaymentNotification[] = [];
  const anomalies: PaymentAnomaly[] = [];
  const logs: Harness['logs'] = [];
  const paid = vi.fn();
  const refunded = vi.fn();
  const failed = vi.fn();
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    logs.push({ level, message, ...(fields ? { fields } : {}) });
  const service = createPaymentService<null>({
    factory: createPaymentFactory({ providers: [fake] }),
    repositories,
    clock: () => clock.now,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    // These tests check what the hooks receive, so each call waits for them; the outbox tests cover the
    // default (background) and worker deliveries.
    notificationDelivery: 'inline',
    hooks: {
      onOrderPaid: paid,
      onOrderRefunded: refunded,
      onPaymentFailed: failed,
      afterCommit: (n) => {
        notifications.push(n);
      },
      onAnomaly: (a) => {
        anomalies.push(a);
      },
      ...overrides.hooks,
    },
    ...overrides.options,
  });
  return { fake, repositories, service, clock, paid, refunded, failed, notifications, anomalies, logs };
}

/** An order for 19.99 USD with an open charge through the fake provider. */
export async function orderWithCharge(h: Harness, amount = 1999) {
  const order = await h.service.initOrder({ userId: 'u1', productId: 'p1', payableAmount: amount, currency: 'USD' });
  const dto = await h.service.createCharge({ orderId: order.orderId, clientIp: '127.0.0.1' });
  const attemptId = dto.paymentPayload!.attemptId;
  return { order, dto, attemptId };
}

/** Delivers a signed fake webhook through the service. */
export function deliver(h: Harness, webhook: { rawBody: string; headers: Record<string, string> }) {
  return h.service.handleWebhook({ provider: 'fake', rawBody: webhook.rawBody, headers: webhook.headers });
}
