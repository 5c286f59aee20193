/**
 * The service side of merchant accounts (DESIGN §12): one adapter instance per account version, built from the
 * host's adapter module and kept in a bounded LRU; the provider registry a payment's calls go through (the
 * platform's, or its snapshotted account version's); the account checks a charge makes before anything is
 * written. See `core/merchant-account-port.ts` for the rules.
 * @module
 */
import { ConfigurationError, isPaymentError, ValidationError, WebhookVerificationError } from '../core/errors.js';
import { createPaymentFactory, type PaymentFactory } from '../core/factory.js';
import {
  MERCHANT_ID_MAX_LENGTH,
  type MerchantAccount,
  type MerchantAccountOptions,
  type MerchantAccountResolution,
} from '../core/merchant-account-port.js';
import { accountIdFromRouteToken, isValidAccountId } from '../core/merchant-account-route.js';
import type { PaymentEvent, WebhookInput } from '../core/types.js';
import type { PaymentProvider } from '../core/provider.js';
import type { AttemptRecord, MerchantAccountSnapshot, OrderRecord } from '../persistence/records.js';
import type { ServiceContext } from './service-context.js';

/** One account version, ready: the host's answer, its adapter, and a registry holding only that adapter. */
export interface AccountEntry {
  /** The version as the host answered it. */
  account: MerchantAccount;
  /** Its adapter. */
  provider: PaymentProvider;
  /** A registry of that one adapter, under `account.provider`. */
  factory: PaymentFactory;
}

/** The accounts part of the service context. */
export interface MerchantAccounts {
  /** The host's options. */
  readonly options: MerchantAccountOptions;
  /** The ready version, loading and building it on first use. @throws ConfigurationError when the host has none. */
  version(versionId: string): Promise<AccountEntry>;
  /** Ready entries for host answers (webhook candidates, charge accounts), cached by version. */
  entries(accounts: readonly MerchantAccount[]): AccountEntry[];
  /** Kind of an adapter name seen on some account (for names the platform registry does not have). */
  kindOf(provider: string): string | undefined;
  /** Versions currently cached (for tests and health output). */
  readonly size: number;
}

/**
 * Creates the account registry of one service. Two services share nothing; no SDK state is global: every
 * version gets its own adapter instance (and so its own SDK client: one `pingpp` instance per account).
 */
export function createMerchantAccounts(options: MerchantAccountOptions, platform: PaymentFactory): MerchantAccounts {
  if (typeof options.resolver?.resolveCharge !== 'function' || typeof options.resolver.loadVersion !== 'function') {
    throw new ConfigurationError(
      'merchantAccounts.resolver must implement resolveCharge, loadVersion and webhookVersions.',
      {
        code: 'INVALID_MERCHANT_ACCOUNTS',
      },
    );
  }
  if (typeof options.resolver.webhookVersions !== 'function') {
    throw new ConfigurationError('merchantAccounts.resolver must implement webhookVersions.', {
      code: 'INVALID_MERCHANT_ACCOUNTS',
    });
  }
  const capacity = options.cacheSize ?? 100;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new ConfigurationError('merchantAccounts.cacheSize must be a positive integer.', {
      code: 'INVALID_MERCHANT_ACCOUNTS',
    });
  }
  const cache = new Map<string, AccountEntry>();
  const loading = new Map<string, Promise<AccountEntry>>();
  const kinds = new Map<string, string>();

  const touch = (entry: AccountEntry): AccountEntry => {
    const id = entry.account.versionId;
    cache.delete(id);
    cache.set(id, entry);
    while (cache.size > capacity) cache.delete(cache.keys().next().value as string);
    return entry;
  };

  const build = (account: MerchantAccount): AccountEntry => {
    const cached = cache.get(account.versionId);
    if (cached) return touch(cached);
    assertAccount(account);
    const builder = options.adapters[account.provider];
    if (typeof builder !== 'function') {
      throw new ConfigurationError(
        `No adapter builder for provider "${account.provider}" in merchantAccounts.adapters.`,
        {
          code: 'MERCHANT_ADAPTER_MISSING',
          provider: account.provider,
        },
      );
    }
    const provider = builder(account);
    if (provider?.name !== account.provider) {
      throw new ConfigurationError(
        `The adapter built for merchant account version ${account.versionId} is named "${String(provider?.name)}", not "${account.provider}".`,
        { code: 'MERCHANT_ADAPTER_NAME', provider: account.provider },
      );
    }
    const platformKind = platform.providers.get(account.provider)?.kind;
    const knownKind = platformKind ?? kinds.get(account.provider);
    if (knownKind !== undefined && knownKind !== provider.kind) {
      throw new ConfigurationError(
        `Provider name "${account.provider}" is a ${knownKind} adapter elsewhere, but merchant account version ${account.versionId} built a ${provider.kind} one.`,
        { code: 'MERCHANT_ADAPTER_KIND', provider: account.provider },
      );
    }
    kinds.set(account.provider, provider.kind);
    return touch({ account, provider, factory: createPaymentFactory({ providers: [provider] }) });
  };

  return {
    options,
    get size() {
      return cache.size;
    },
    kindOf: (name) => kinds.get(name),
    entries: (accounts) => accounts.map(build),
    version: (versionId) => {
      const cached = cache.get(versionId);
      if (cached) return Promise.resolve(touch(cached));
      let pending = loading.get(versionId);
      if (!pending) {
        pending = (async () => {
          const account = await options.resolver.loadVersion(versionId);
          if (!account) {
            throw new ConfigurationError(
              `Merchant account version ${versionId} is not available from the resolver; the payment made with it cannot be handled.`,
              { code: 'MERCHANT_ACCOUNT_VERSION_NOT_FOUND' },
            );
          }
          if (account.versionId !== versionId) {
            throw new ConfigurationError(
              `The resolver answered version ${String(account.versionId)} when asked for ${versionId}.`,
              { code: 'MERCHANT_ACCOUNT_INVALID' },
            );
          }
          return build(account);
        })().finally(() => loading.delete(versionId));
        loading.set(versionId, pending);
      }
      return pending;
    },
  };
}

const invalidAnswer = (field: string, rule: string): ConfigurationError =>
  new ConfigurationError(`A merchant account answer from the resolver has an invalid ${field}: ${rule}.`, {
    code: 'MERCHANT_ACCOUNT_INVALID',
    details: { field },
  });

/**
 * Whether `value` can be snapshotted as a seller or version id: 1–{@link MERCHANT_ID_MAX_LENGTH} characters, the
 * width of the original `creator_bid` / `payment_integration_bid` columns (a longer one would be refused, or cut
 * on non-strict MySQL, by an adopted table).
 */
function isMerchantId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MERCHANT_ID_MAX_LENGTH;
}

const MERCHANT_ID_RULE = `1–${MERCHANT_ID_MAX_LENGTH} characters`;

/** Refuses a host answer that cannot be snapshotted or routed, naming the field (never a credential). */
function assertAccount(account: MerchantAccount): void {
  if (typeof account !== 'object' || account === null) throw invalidAnswer('answer', 'not an object');
  if (!isValidAccountId(account.accountId)) {
    throw invalidAnswer('accountId', '1–128 characters, no "/", "?", "#", "%" or spaces');
  }
  for (const field of ['versionId', 'sellerId'] as const) {
    if (!isMerchantId(account[field])) throw invalidAnswer(field, MERCHANT_ID_RULE);
  }
  if (typeof account.provider !== 'string' || account.provider === '') {
    throw invalidAnswer('provider', 'a provider name');
  }
}

/**
 * The account snapshot a payment was made on: the attempt's own, else (rows written before migration 0007 or
 * by the original system) its order's.
 */
export function snapshotOf(attempt: AttemptRecord, order: OrderRecord | null): MerchantAccountSnapshot {
  if (attempt.merchantAccount) return attempt.merchantAccount;
  return { sellerId: order?.sellerId ?? null, versionId: order?.merchantAccountVersion ?? null };
}

/**
 * What a charge may use, decided before anything is written or sent: `null` for the platform's providers,
 * else the seller's account entries to route among. Errors are `ValidationError`s naming the rule.
 */
export async function chargeAccounts(
  accounts: MerchantAccounts,
  order: OrderRecord,
): Promise<{ sellerId: string | null; entries: AccountEntry[] | null }> {
  const resolution: MerchantAccountResolution = await accounts.options.resolver.resolveCharge({ order });
  // The seller is snapshotted on the order and attempt (`creator_bid`): checked like an account's, before any write.
  const sellerId: unknown = resolution?.sellerId;
  if (resolution?.type === 'accounts' && !isMerchantId(sellerId)) throw invalidAnswer('sellerId', MERCHANT_ID_RULE);
  if (resolution?.type === 'none' && sellerId !== null && !isMerchantId(sellerId)) {
    throw invalidAnswer('sellerId', `null or ${MERCHANT_ID_RULE}`);
  }
  switch (resolution?.type) {
    case 'accounts': {
      if (!Array.isArray(resolution.accounts)) throw invalidAnswer('accounts', 'an array of accounts');
      if (resolution.accounts.length === 0) throw refused(order, 'the seller has no account that may take it');
      const entries = accounts.entries(resolution.accounts);
      const names = new Set<string>();
      for (const entry of entries) {
        if (entry.account.sellerId !== resolution.sellerId) {
          throw new ConfigurationError('The resolver answered an account of another seller.', {
            code: 'MERCHANT_ACCOUNT_INVALID',
          });
        }
        if (names.has(entry.account.provider)) {
          throw new ConfigurationError(`The resolver answered two accounts for provider "${entry.account.provider}".`, {
            code: 'MERCHANT_ACCOUNT_INVALID',
          });
        }
        names.add(entry.account.provider);
      }
      return { sellerId: resolution.sellerId, entries };
    }
    case 'refused':
      throw refused(order, resolution.reason);
    case 'none':
      if (resolution.sellerId !== null && accounts.options.platformFallback !== true) {
        throw new ValidationError(
          `Order ${order.orderId} belongs to a seller without a merchant account, and platformFallback is off.`,
          { code: 'MERCHANT_ACCOUNT_MISSING' },
        );
      }
      return { sellerId: resolution.sellerId, entries: null };
    default:
      throw new ConfigurationError(
        'merchantAccounts.resolver.resolveCharge answered neither accounts, none nor refused.',
        {
          code: 'MERCHANT_ACCOUNT_INVALID',
        },
      );
  }
}

function refused(order: OrderRecord, reason: string): ValidationError {
  return new ValidationError(`The seller's merchant account refuses order ${order.orderId}: ${String(reason)}.`, {
    code: 'MERCHANT_ACCOUNT_REFUSED',
  });
}

/**
 * The registry a payment's later calls go through (retrieve, refund, cancel): its snapshotted account
 * version's, or the platform's. An attempt without its own snapshot takes its order's (read only then, and only
 * when accounts are configured). A snapshot naming a version without `merchantAccounts` configured is an error,
 * never the platform's account.
 */
export async function factoryForAttempt<THandle>(
  ctx: ServiceContext<THandle>,
  attempt: AttemptRecord,
  order?: OrderRecord | null,
): Promise<PaymentFactory> {
  const accounts = ctx.merchantAccounts;
  if (!accounts) {
    if (attempt.merchantAccount?.versionId) throw notConfigured(attempt.attemptId);
    return ctx.factory;
  }
  const snapshot = attempt.merchantAccount
    ? attempt.merchantAccount
    : snapshotOf(attempt, order === undefined ? await ctx.repositories.orders.findById(attempt.orderId) : order);
  return snapshot.versionId === null ? ctx.factory : (await accounts.version(snapshot.versionId)).factory;
}

function notConfigured(attemptId: string): ConfigurationError {
  return new ConfigurationError(
    `Attempt ${attemptId} was made on a seller's merchant account, but the service has no merchantAccounts configured.`,
    { code: 'MERCHANT_ACCOUNTS_NOT_CONFIGURED' },
  );
}

/** A webhook route of one merchant account, resolved from its token (see `PaymentService.webhookRoute`). */
export interface MerchantWebhookRoute {
  /** The account the route token names. */
  readonly accountId: string;
  /** The provider name in the route. */
  readonly provider: string;
  /** The newest listed version's adapter: names the signature headers and shapes the answer. */
  readonly adapter: PaymentProvider;
  /** The versions whose secrets may verify a delivery, newest first. */
  readonly versionIds: readonly string[];
}

const routeEntries = new WeakMap<MerchantWebhookRoute, readonly AccountEntry[]>();

/**
 * Resolves `POST /webhooks/:provider/:account` before the body is read: the token's MAC is checked in constant
 * time, then the host lists the account's webhook versions. `null` for a token the host key did not make, or an
 * account with no version of that provider.
 */
export async function resolveWebhookRoute(
  accounts: MerchantAccounts,
  provider: string,
  token: string,
): Promise<MerchantWebhookRoute | null> {
  const accountId = await accountIdFromRouteToken(accounts.options.routeKey, token);
  if (accountId === null) return null;
  const listed = await accounts.options.resolver.webhookVersions({ accountId, provider });
  const entries = accounts.entries(listed.filter((a) => a.accountId === accountId && a.provider === provider));
  const newest = entries[0];
  if (!newest) return null;
  const route: MerchantWebhookRoute = Object.freeze({
    accountId,
    provider,
    adapter: newest.provider,
    versionIds: entries.map((e) => e.account.versionId),
  });
  routeEntries.set(route, entries);
  return route;
}

/** What a delivery on an account route verified as: the event, and every listed version whose secret verifies it. */
export interface RouteVerification {
  /** The verified, normalised event. */
  event: PaymentEvent;
  /** The account of the route. */
  accountId: string;
  /** Versions whose webhook secret verified the body. */
  versionIds: ReadonlySet<string>;
  /** The registry of the first of them (for follow-up reads such as a refund's details). */
  factory: PaymentFactory;
}

/**
 * Verifies a delivery with each listed version of the route's account (a handful at most: the current one and
 * those rotated away from). The body is parsed by an adapter only after its signature check passed. Refused
 * with the first version's `WebhookVerificationError` when none verifies.
 */
export async function verifyOnRoute(route: MerchantWebhookRoute, input: WebhookInput): Promise<RouteVerification> {
  const entries = routeEntries.get(route);
  if (!entries) {
    throw new ConfigurationError('Webhook routes come from service.webhookRoute().', { code: 'INVALID_WEBHOOK_ROUTE' });
  }
  let first: { event: PaymentEvent; factory: PaymentFactory } | null = null;
  const versionIds = new Set<string>();
  let refusal: Error | null = null;
  for (const entry of entries) {
    try {
      const event = await entry.factory.verifyWebhook(route.provider, input);
      first ??= { event, factory: entry.factory };
      versionIds.add(entry.account.versionId);
    } catch (error) {
      if (!isPaymentError(error, 'WebhookVerificationError')) throw error;
      refusal ??= error as Error;
    }
  }
  if (!first) throw refusal ?? new WebhookVerificationError('No merchant account version verifies this delivery.');
  return { event: first.event, accountId: route.accountId, versionIds, factory: first.factory };
}
