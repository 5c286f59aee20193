/**
 * `createInMemoryMerchantAccounts`: a complete merchant account resolver kept in memory, for tests, examples and
 * as the model of a host's own (which reads its database and decrypts the credentials).
 * @module
 */
import type {
  MerchantAccount,
  MerchantAccountResolution,
  MerchantAccountResolver,
} from '../core/merchant-account-port.js';
import type { OrderRecord } from '../persistence/records.js';

/** A resolver whose accounts tests can add, rotate and suspend. */
export interface InMemoryMerchantAccounts extends MerchantAccountResolver {
  /** Adds an account's first version, or a new version (rotation): the new one becomes current. */
  put(account: MerchantAccount): void;
  /** Suspends (or reinstates) a seller: `resolveCharge` answers `refused`. */
  suspend(sellerId: string, reason?: string | null): void;
  /** Stops listing an old version for webhooks (its payments' webhooks are then refused). */
  retire(versionId: string): void;
  /** How many times each method was called. */
  readonly calls: InMemoryMerchantAccountCalls;
}

/** Call counts of an {@link InMemoryMerchantAccounts}. */
export interface InMemoryMerchantAccountCalls {
  /** `resolveCharge` calls. */
  resolveCharge: number;
  /** `loadVersion` calls (one per version while the service's adapter cache holds it). */
  loadVersion: number;
  /** `webhookVersions` calls. */
  webhookVersions: number;
}

/** Options of {@link createInMemoryMerchantAccounts}. */
export interface InMemoryMerchantAccountsOptions {
  /** The seller of an order. @default `order.productId`'s seller given in `products`, else none */
  sellerOf?: (order: OrderRecord) => string | null;
  /** Product → seller, used by the default `sellerOf`. */
  products?: Readonly<Record<string, string>>;
}

/**
 * Creates the resolver. `resolveCharge` answers the seller's current version per provider (`accounts`),
 * `refused` for a suspended seller, `none` for a seller without accounts or an order without a seller;
 * `webhookVersions` lists the account's versions not retired, newest first.
 *
 * @example
 * ```ts
 * const accounts = createInMemoryMerchantAccounts({ products: { course_1: 'seller_a' } });
 * accounts.put({ accountId: 'acct_a', versionId: 'acct_a_v1', sellerId: 'seller_a', provider: 'stripe',
 *   credentials: { secretKey, webhookSecret } });
 * ```
 */
export function createInMemoryMerchantAccounts(
  options: InMemoryMerchantAccountsOptions = {},
): InMemoryMerchantAccounts {
  const versions = new Map<string, MerchantAccount>();
  /** accountId → version ids, oldest first. */
  const history = new Map<string, string[]>();
  const retired = new Set<string>();
  const suspended = new Map<string, string>();
  const calls = { resolveCharge: 0, loadVersion: 0, webhookVersions: 0 };
  const sellerOf = options.sellerOf ?? ((order: OrderRecord) => options.products?.[order.productId] ?? null);

  const current = (accountId: string): MerchantAccount | undefined => {
    const ids = history.get(accountId) ?? [];
    return versions.get(ids[ids.length - 1] ?? '');
  };

  return {
    calls,
    put(account) {
      if (versions.has(account.versionId))
        throw new Error(`version ${account.versionId} exists; versions are immutable`);
      versions.set(account.versionId, { ...account });
      history.set(account.accountId, [...(history.get(account.accountId) ?? []), account.versionId]);
    },
    suspend(sellerId, reason = 'suspended') {
      if (reason === null) suspended.delete(sellerId);
      else suspended.set(sellerId, reason);
    },
    retire(versionId) {
      retired.add(versionId);
    },
    async resolveCharge({ order }): Promise<MerchantAccountResolution> {
      calls.resolveCharge++;
      const sellerId = sellerOf(order);
      if (sellerId === null) return { type: 'none', sellerId: null };
      const accounts = [...history.keys()]
        .map(current)
        .filter((a): a is MerchantAccount => a !== undefined && a.sellerId === sellerId);
      if (accounts.length === 0) return { type: 'none', sellerId };
      const reason = suspended.get(sellerId);
      if (reason !== undefined) return { type: 'refused', sellerId, reason };
      return { type: 'accounts', sellerId, accounts };
    },
    async loadVersion(versionId) {
      calls.loadVersion++;
      return versions.get(versionId) ?? null;
    },
    async webhookVersions({ accountId, provider }) {
      calls.webhookVersions++;
      return (history.get(accountId) ?? [])
        .filter((id) => !retired.has(id))
        .map((id) => versions.get(id) as MerchantAccount)
        .filter((a) => a.provider === provider)
        .reverse();
    },
  };
}
