/**
 * `@org/payment-factory/testing` on runtimes without Node built-ins (Cloudflare workerd, Vercel Edge, browsers):
 * the export condition `default`; Node, Bun and Deno resolve the `node` condition, the full kit.
 *
 * The same names as the full kit, with the same types: in-memory repositories and the fake provider work
 * everywhere; the webhook signers work wherever `node:crypto` exists (Bun, Deno, workerd with `nodejs_compat`)
 * and otherwise throw `RUNTIME_FEATURE_MISSING`; the emulators (HTTP servers) and the conformance suites
 * (`node:assert`, a test runner) throw `RUNTIME_FEATURE_MISSING` when called.
 * @module
 */
import type * as ProviderConformance from './provider-conformance.js';
import type * as RepositoryConformance from './repository-conformance.js';
import type * as StripeEmulator from './stripe-emulator.js';
import type * as PingxxEmulator from './pingxx-emulator/pingxx-emulator.js';
import type * as AlipayEmulator from './alipay-emulator/alipay-emulator.js';
import type * as WechatPayEmulator from './wechatpay-emulator/wechatpay-emulator.js';
import { nodeOnly } from './node-only.js';

export * from './fake-provider.js';
export {
  createInMemoryRepositories,
  type InMemoryPaymentRepositories,
  type InMemoryRepositoriesOptions,
  type InMemorySnapshot,
} from './in-memory-repositories.js';
export {
  createInMemoryMerchantAccounts,
  type InMemoryMerchantAccounts,
  type InMemoryMerchantAccountCalls,
  type InMemoryMerchantAccountsOptions,
} from './in-memory-merchant-accounts.js';
export * from './stripe-signer.js';
export {
  generatePingxxTestKeyPair,
  signPingxxWebhook,
  type PingxxTestKeyPair,
  type SignedPingxxWebhook,
} from './pingxx-signer.js';
export {
  generateAlipayTestKeyPair,
  signAlipayNotify,
  type AlipayTestKeyPair,
  type SignedAlipayNotify,
} from './alipay-signer.js';
export {
  generateWechatPayTestKeyPair,
  signWechatPayNotification,
  type SignedWechatPayNotification,
  type WechatPayNotificationInput,
  type WechatPayNotificationKeys,
  type WechatPayTestKeyPair,
} from './wechatpay-signer.js';

/** Node-only: starts an HTTP server. Throws `RUNTIME_FEATURE_MISSING` here. */
export const startStripeEmulator: typeof StripeEmulator.startStripeEmulator = () =>
  Promise.reject(nodeOnly('startStripeEmulator', 'node:http'));
/** Node-only: starts an HTTP server. Throws `RUNTIME_FEATURE_MISSING` here. */
export const startPingxxEmulator: typeof PingxxEmulator.startPingxxEmulator = () =>
  Promise.reject(nodeOnly('startPingxxEmulator', 'node:http'));
/** Node-only: starts an HTTP server. Throws `RUNTIME_FEATURE_MISSING` here. */
export const startAlipayEmulator: typeof AlipayEmulator.startAlipayEmulator = () =>
  Promise.reject(nodeOnly('startAlipayEmulator', 'node:http'));
/** Node-only: starts an HTTP server. Throws `RUNTIME_FEATURE_MISSING` here. */
export const startWechatPayEmulator: typeof WechatPayEmulator.startWechatPayEmulator = () =>
  Promise.reject(nodeOnly('startWechatPayEmulator', 'node:http'));
/** Node-only: a test suite on `node:assert`. Throws `RUNTIME_FEATURE_MISSING` here. */
export const runRepositoryConformance: typeof RepositoryConformance.runRepositoryConformance = () => {
  throw nodeOnly('runRepositoryConformance', 'node:assert');
};
/** Node-only: a test suite on `node:assert`. Throws `RUNTIME_FEATURE_MISSING` here. */
export const runProviderConformance: typeof ProviderConformance.runProviderConformance = () => {
  throw nodeOnly('runProviderConformance', 'node:assert');
};
