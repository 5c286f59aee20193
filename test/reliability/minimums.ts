/**
 * The floor issues 11, 14 and 15 set for `npm run test:reliability`. A run asked to prove less (fewer orders,
 * deliveries, processes, mutations, no kills, no duplicates or no racing events, a database left out, a provider
 * missing from the load or too few orders on one of its routes) is refused before it starts: there is no quick
 * mode whose summary line could be mistaken for the real one.
 * @module
 */

/** The sizes a run is asked for (`PF_RELIABILITY_*`). */
export interface ReliabilitySizes {
  orders: number;
  /** Distinct success events per attempt (they race each other). */
  events: number;
  /** Deliveries of each event (duplicates). */
  copies: number;
  /** Worker processes the deliveries are posted to. */
  workers: number;
  /** fast-check mutations per provider. */
  mutations: number;
  /** Connection kills of each kind (mid-transaction, idle) per server database. */
  kills: number;
}

/** One route of the load: a provider, the channel its orders are charged on, and the seller account taking them. */
export interface ReliabilityRoute {
  provider: string;
  channel: string;
  /** A seller's merchant account id, or `null` for the platform's own provider. */
  account: string | null;
}

/**
 * The minimums: ≥ 2,000 deliveries for ≥ 200 orders from ≥ 4 processes, ≥ 1,000 mutations per provider; every
 * provider of issue 14 (Stripe, Ping++, native Alipay, native WeChat Pay) in the load on the platform's accounts,
 * two sellers' Stripe accounts beside them (issue 15), each route with ≥ 25 orders.
 */
export const RELIABILITY_MINIMUMS = {
  providers: ['stripe', 'pingxx', 'alipay', 'wechatpay'],
  sellerStripeAccounts: 2,
  ordersPerRoute: 25,
  orders: 200,
  deliveries: 2000,
  events: 2,
  copies: 2,
  workers: 4,
  mutations: 1000,
  kills: 1,
} as const;

/**
 * Why a run with these sizes and this environment would prove less than issue 11 asks; empty when it would
 * not. The former `PF_RELIABILITY_DIALECTS` filter is refused too (it could leave out SQLite or a database
 * whose URL is set).
 */
export function belowMinimums(
  sizes: ReliabilitySizes,
  env: NodeJS.ProcessEnv = process.env,
  routes: readonly ReliabilityRoute[],
): string[] {
  const m = RELIABILITY_MINIMUMS;
  const refusals: string[] = [];
  const atLeast = (name: string, value: number, floor: number, what: string) => {
    if (value < floor) refusals.push(`${name}=${value} is below the minimum ${floor} (${what})`);
  };
  atLeast('PF_RELIABILITY_ORDERS', sizes.orders, m.orders, 'orders per database');
  atLeast('PF_RELIABILITY_EVENTS', sizes.events, m.events, 'distinct events racing per attempt');
  atLeast('PF_RELIABILITY_COPIES', sizes.copies, m.copies, 'deliveries of each event: the duplicates');
  atLeast('PF_RELIABILITY_WORKERS', sizes.workers, m.workers, 'processes');
  atLeast('PF_RELIABILITY_MUTATIONS', sizes.mutations, m.mutations, 'mutations of each provider’s webhook');
  atLeast('PF_RELIABILITY_KILLS', sizes.kills, m.kills, 'connection kills of each kind, busy and idle');
  const deliveries = sizes.orders * sizes.events * sizes.copies;
  if (deliveries < m.deliveries) {
    refusals.push(
      `${sizes.orders} orders × ${sizes.events} events × ${sizes.copies} copies = ${deliveries} deliveries per database, below the minimum ${m.deliveries}`,
    );
  }
  const missing = m.providers.filter((p) => !routes.some((r) => r.provider === p && r.account === null));
  if (missing.length > 0) refusals.push(`the load has no platform route for ${missing.join(', ')}`);
  const sellerStripe = new Set(
    routes.filter((r) => r.provider === 'stripe' && r.account !== null).map((r) => r.account),
  );
  if (sellerStripe.size < m.sellerStripeAccounts) {
    refusals.push(
      `the load has ${sellerStripe.size} sellers' Stripe accounts, below the minimum ${m.sellerStripeAccounts} (merchant accounts)`,
    );
  }
  // Orders are spread round-robin over the routes: the last ones get the fewest.
  const fewest = Math.floor(sizes.orders / Math.max(routes.length, 1));
  if (fewest < m.ordersPerRoute) {
    refusals.push(
      `${sizes.orders} orders over ${routes.length} routes leave ${fewest} orders on a route, below the minimum ${m.ordersPerRoute}`,
    );
  }
  if (env['PF_RELIABILITY_DIALECTS']) {
    refusals.push(
      'PF_RELIABILITY_DIALECTS is not supported: SQLite always runs, and every database whose URL is set; to run fewer, unset PF_TEST_POSTGRES_URL / PF_TEST_MYSQL_URL',
    );
  }
  return refusals;
}
