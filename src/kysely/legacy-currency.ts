/**
 * The currency of an order the original system wrote. Its `order_orders` rows have no currency: the
 * original decided it per attempt (Stripe rows carry their own, `STRIPE_DEFAULT_CURRENCY`; Ping++ is always
 * CNY). So an order reads as the currency of its own attempts, and as the configured legacy currency when it
 * has none. Attempts that disagree are a conflict to resolve by hand: nothing is guessed.
 *
 * Used by migration 0002 (which writes the currency into every such row, and stops on a conflict) and by the
 * order repository for rows the original system keeps writing during a side-by-side cutover.
 * @module
 */
import type { Kysely } from 'kysely';
import { ConfigurationError } from '../core/errors.js';
import { normalizeCurrency } from '../core/money.js';
import { attemptTables } from './attempt-tables.js';
import { ORDER_BIZ_DOMAIN } from './migrations/table-specs.js';
import type { TableNames, UntypedDatabase } from './schema.js';
import { readString } from './sql-dialect.js';

/** Currency of original orders without attempts, unless configured. @default 'CNY' */
export const DEFAULT_LEGACY_CURRENCY = 'CNY';

/** One attempt's currency, as evidence for its order's. */
export interface AttemptCurrency {
  orderId: string;
  table: string;
  attemptId: string;
  /** Upper-case ISO 4217 code. */
  currency: string;
}

/**
 * The currencies of the attempts of the given orders, or (with `'without-currency'`) of every order whose
 * `currency` is `NULL`. Ping++ rows without a currency count as CNY; other rows without one say nothing.
 */
export async function attemptCurrencies(
  db: Kysely<UntypedDatabase>,
  tables: TableNames,
  orders: readonly string[] | 'without-currency',
  /** Only these tables (migration 0002 runs before the native tables of 0004 exist). @default all */
  kinds?: readonly string[],
): Promise<AttemptCurrency[]> {
  if (orders !== 'without-currency' && orders.length === 0) return [];
  const out: AttemptCurrency[] = [];
  for (const table of Object.values(attemptTables(tables)).filter((t) => !kinds || kinds.includes(t.kind))) {
    let query = db.selectFrom(table.name).select(['order_bid', `${table.idColumn} as attempt_bid`, 'currency']);
    if (table.softDelete) query = query.where('deleted', '=', 0);
    if (table.scoped) query = query.where('biz_domain', '=', ORDER_BIZ_DOMAIN);
    query =
      orders === 'without-currency'
        ? query.where('order_bid', 'in', db.selectFrom(tables.orders).select('order_bid').where('currency', 'is', null))
        : query.where('order_bid', 'in', [...orders]);
    for (const row of await query.orderBy('order_bid').orderBy(`${table.idColumn}`).execute()) {
      const stored = readString(row['currency']);
      const currency = stored ?? (table.kind === 'pingxx' ? 'CNY' : null);
      if (currency === null) continue;
      out.push({
        orderId: String(row['order_bid']),
        table: table.name,
        attemptId: String(row['attempt_bid']),
        currency: normalizeCurrency(currency),
      });
    }
  }
  return out;
}

/**
 * Each order's currency from its attempts' (orders without attempts are absent: they take the legacy
 * currency).
 * @throws ConfigurationError code `LEGACY_CURRENCY_CONFLICT` naming every order whose attempts disagree and
 *   the rows that do.
 */
export function currenciesFromAttempts(rows: readonly AttemptCurrency[]): Map<string, string> {
  const byOrder = new Map<string, AttemptCurrency[]>();
  for (const row of rows) byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), row]);
  const decided = new Map<string, string>();
  const conflicts: { orderId: string; attempts: AttemptCurrency[] }[] = [];
  for (const [orderId, attempts] of byOrder) {
    const currencies = new Set(attempts.map((a) => a.currency));
    if (currencies.size === 1) decided.set(orderId, attempts[0]!.currency);
    else conflicts.push({ orderId, attempts });
  }
  if (conflicts.length > 0) {
    const named = conflicts
      .slice(0, 10)
      .map((c) => `${c.orderId} (${c.attempts.map((a) => `${a.table} ${a.attemptId} ${a.currency}`).join(', ')})`)
      .join('; ');
    throw new ConfigurationError(
      `Orders without a currency whose attempts disagree on it: ${named}${conflicts.length > 10 ? '; …' : ''}. ` +
        'Set order_orders.currency on these rows by hand to the currency the customer owes (if the column does not ' +
        'exist yet, add it first: ALTER TABLE order_orders ADD COLUMN currency VARCHAR(3) NULL), then migrate again.',
      {
        code: 'LEGACY_CURRENCY_CONFLICT',
        details: {
          orderIds: conflicts.map((c) => c.orderId),
          attempts: conflicts.flatMap((c) =>
            c.attempts.map(({ orderId, table, attemptId, currency }) => ({ orderId, table, attemptId, currency })),
          ),
        },
      },
    );
  }
  return decided;
}
