// The README's 20-line integration snippet, type-checked by `npm run typecheck`; test/unit/readme.test.ts keeps the two identical.
import { createPaymentFactory, createPaymentService, createWebhookHandler } from '@org/payment-factory';
import { loadPaymentConfig } from '@org/payment-factory/config';
import { createStripeProvider } from '@org/payment-factory/stripe';
import { createPingxxProvider } from '@org/payment-factory/pingxx';
import { createKyselyFromUrl, createKyselyRepositories, migrateToLatest } from '@org/payment-factory/kysely';
declare const userId: string; declare const productId: string; declare const clientIp: string;
declare function grantCourse(trx: unknown, userId: string): Promise<void>;

const config = loadPaymentConfig(process.env); // every problem at once, secrets never echoed
const db = await createKyselyFromUrl(config.databaseUrl ?? 'payments.sqlite');
await migrateToLatest(db);
const providers = [ // only the providers whose keys are set; config.stripe / config.pingxx are null otherwise
  ...(config.stripe ? [createStripeProvider(config.stripe)] : []),
  ...(config.pingxx ? [createPingxxProvider(config.pingxx)] : []),
];
const service = createPaymentService({
  factory: createPaymentFactory({ providers, enabled: config.enabledProviders }),
  repositories: createKyselyRepositories(db),
  orderExpireSeconds: config.orderExpireSeconds,
  hooks: { onOrderPaid: ({ handle, order }) => grantCourse(handle, order.userId) }, // same transaction
});
const order = await service.initOrder({ userId, productId, payableAmount: 9900, currency: 'CNY' });
const dto = await service.createCharge({ orderId: order.orderId, channel: 'wx_pub_qr', clientIp, extra: { productId } });
export const POST = createWebhookHandler(service); // POST /webhooks/:provider — Web Request → Response

export { dto };
