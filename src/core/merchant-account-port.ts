/**
 * The merchant account port: how the service learns, from the host, which merchant account takes a payment.
 *
 * **What it is for.** A platform whose sellers collect into their own merchant accounts (their own Stripe
 * account, their own Ping++ app, their own Alipay or WeChat Pay merchant), or a SaaS host with one Stripe
 * account per tenant. The host stores the accounts (encrypted, as it sees fit); the library never stores a
 * credential. It asks through this port and builds one adapter instance per account version from the adapter
 * module the host names (`createStripeProvider`, `createPingxxProvider`, …), cached and bounded.
 *
 * **The data model** (DESIGN §12). A *seller* owns *accounts*; an account (`accountId`, stable: it names the
 * account's webhook route) has *versions* (`versionId`): a new version whenever its credentials change. At
 * charge time the order and its attempt snapshot the seller (`creator_bid`) and the version
 * (`payment_integration_bid`), and every later call for that payment — webhook verification, retrieve,
 * refund, reconcile, cancel at expiry — uses exactly that version, even after the seller rotated. The host keeps
 * old versions loadable (`loadVersion`) as long as their payments may still be refunded.
 *
 * **The rules.**
 * - `resolveCharge` decides per order. `accounts`: the seller's accounts that may take it; routing picks among
 *   them only (a seller with only Alipay gets Alipay), never the platform's. `refused` (or `accounts` with
 *   none): the charge fails with a `ValidationError` `MERCHANT_ACCOUNT_REFUSED` before anything is written or
 *   sent. `none`: the order has no seller account; a seller's order then fails with
 *   `MERCHANT_ACCOUNT_MISSING` unless the host opted into `platformFallback`, and an order with no seller
 *   (the platform's own products) is charged on the platform's providers. A throw propagates: never a fallback.
 * - `loadVersion` answers exactly the version asked for, or `null` when the host no longer has it (the call
 *   for that payment then fails with `ConfigurationError` `MERCHANT_ACCOUNT_VERSION_NOT_FOUND`).
 * - `webhookVersions` lists the versions whose webhook secrets may sign a delivery to the account's route now
 *   (typically the current one and those rotated away from while their payments are open). A delivery is
 *   applied only when the version its payment snapshotted is one of those that verify its signature.
 *
 * The in-memory `createInMemoryMerchantAccounts` (`/testing`) is a complete example.
 * @module
 */
import type { PaymentProvider } from './provider.js';
import type { OrderRecord } from '../persistence/records.js';

/**
 * Longest seller id (`creator_bid`) and account version id (`payment_integration_bid`) the library accepts: 36
 * characters, the width of those columns in the original system's tables (`VARCHAR(36)` on `order_orders` and on
 * every attempt table), which adopted installs keep. Fresh installs have wider columns, but an id must fit every
 * table it may be written to: a longer one would fail on PostgreSQL and strict MySQL, and be silently cut on
 * non-strict MySQL (a cut version id names another version, or none). A resolver answer or a repository write with
 * a longer id is refused before anything is written (`ConfigurationError` / `ValidationError`). A UUID fits.
 */
export const MERCHANT_ID_MAX_LENGTH = 36;

/** One version of a merchant account, as the host stores it (credentials decrypted). */
export interface MerchantAccount<TCredentials = unknown> {
  /**
   * The account: stable across versions, it names the account's webhook route
   * (`/webhooks/:provider/<accountId>.<token>`). Non-empty, at most 128 characters, no `/`.
   */
  accountId: string;
  /**
   * This version (`payment_integration_bid`): new whenever the credentials change. 1–36 characters
   * ({@link MERCHANT_ID_MAX_LENGTH}).
   */
  versionId: string;
  /** The seller who owns the account (`creator_bid`). 1–36 characters ({@link MERCHANT_ID_MAX_LENGTH}). */
  sellerId: string;
  /**
   * The provider name the account's payments are recorded, routed and received under (`stripe`, `pingxx`,
   * `alipay`, `wechatpay`, …): a key of `MerchantAccountOptions.adapters`, whose builder makes an adapter of
   * that name.
   */
  provider: string;
  /** What the adapter builder needs (the adapter's options: keys, webhook secret, app id). Never logged. */
  credentials: TCredentials;
}

/** What `resolveCharge` answers. */
export type MerchantAccountResolution =
  | {
      /** The seller's accounts that may take this order. */
      type: 'accounts';
      /** The seller (`creator_bid`). */
      sellerId: string;
      /** Current versions, at most one per provider name. */
      accounts: readonly MerchantAccount[];
    }
  | {
      /** No seller account for this order. */
      type: 'none';
      /** The seller, or `null` for the platform's own products. */
      sellerId: string | null;
    }
  | {
      /** The seller has accounts but may not charge now (suspended, unverified, …). */
      type: 'refused';
      /** The seller (`creator_bid`). */
      sellerId: string;
      /** Why, for the error message shown to the caller. Never a secret. */
      reason: string;
    };

/** The host's side of the port. See the module doc for the rules. */
export interface MerchantAccountResolver {
  /** Which accounts may take this order's charge. Called once per `createCharge` that opens an attempt. */
  resolveCharge(input: { order: OrderRecord }): Promise<MerchantAccountResolution>;
  /** Exactly this version, or `null`. */
  loadVersion(versionId: string): Promise<MerchantAccount | null>;
  /** The versions whose webhook secrets may sign a delivery to this account's route now. */
  webhookVersions(input: { accountId: string; provider: string }): Promise<readonly MerchantAccount[]>;
}

/** Builds the adapter for one account version: e.g. `(a) => createStripeProvider({ ...a.credentials, name: a.provider })`. */
export type MerchantAdapterBuilder = (account: MerchantAccount) => PaymentProvider;

/** `createPaymentService({ merchantAccounts })`. */
export interface MerchantAccountOptions {
  /** The host's accounts. */
  resolver: MerchantAccountResolver;
  /** Adapter builders by provider name; an account whose `provider` has none is refused. */
  adapters: Readonly<Record<string, MerchantAdapterBuilder>>;
  /**
   * The host key of the webhook route tokens (`<accountId>.<hex HMAC-SHA256(routeKey, accountId)>`), at least
   * 32 bytes. Keep it secret and stable: changing it changes every seller's webhook URL.
   */
  routeKey: string | Uint8Array;
  /**
   * Whether a seller's order for which `resolveCharge` answers `none` is charged on the platform's providers.
   * A `refused` answer never falls back. @default false
   */
  platformFallback?: boolean;
  /** Account versions whose adapters are kept (least recently used are dropped first). @default 100 */
  cacheSize?: number;
}
