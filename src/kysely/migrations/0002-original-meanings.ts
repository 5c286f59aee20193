/**
 * Migration 0002: every original column means what the original system meant by it, so both systems can
 * share the tables during a cutover (DESIGN §5, §9).
 *
 * - `order_orders`: adds `captured_price`; `payable_price` is the list price and `paid_price` the amount due
 *   again (0.1.0 stored the amount due in `payable_price` and left `paid_price` 0 until paid: on a database
 *   0.1.0 ran on, its unsettled orders get the amount due back); every order gets its `currency` (its
 *   attempts', else the legacy currency).
 * - attempt tables: `user_bid` / `shifu_bid` on every row; `biz_domain` = `order` on ours; the `*_object`
 *   columns hold the provider object, never a webhook envelope (0.1.0 stored envelopes: unwrapped).
 *
 * Nothing is guessed: orders whose attempts disagree on the currency stop the migration with a
 * `ConfigurationError` naming them, before any row is rewritten. Each step is idempotent, so a run that
 * stopped half-way (MySQL has no transactional DDL) runs again.
 * @module
 */
import type { Kysely } from 'kysely';
import { normalizeCurrency } from '../../core/money.js';
import { attemptTables, type AttemptTableKind } from '../attempt-tables.js';
import { attemptCurrencies, currenciesFromAttempts, DEFAULT_LEGACY_CURRENCY } from '../legacy-currency.js';
import type { TableNames, UntypedDatabase } from '../schema.js';
import type { PaymentMigration } from '../payment-migration.js';
import { detectSqlDialect, readJson, type SqlDialect } from '../sql-dialect.js';
import { ORDER_STATUS_CODES } from '../status-codes.js';
import { ensureTable } from './ensure-table.js';
import { describeTable } from './schema-inspection.js';
import { ORDER_BIZ_DOMAIN, paymentTableSpecs } from './table-specs.js';

/**
 * The attempt tables 0001 creates. 0002 touches only these: the native tables (`order_alipay_orders`,
 * `order_wechatpay_orders`) come with 0004, after this migration has run.
 */
const TABLES_OF_0001: readonly AttemptTableKind[] = ['pingxx', 'stripe', 'generic'];

/** Options of {@link originalMeaningsMigration}. */
export interface OriginalMeaningsOptions {
  dialect?: SqlDialect;
  /** Currency of original orders without attempts. @default 'CNY' */
  legacyCurrency?: string;
}

/** See the module doc. No `down`: the rewritten 0.1.0 rows cannot be told apart afterwards. */
export function originalMeaningsMigration(tables: TableNames, options: OriginalMeaningsOptions = {}): PaymentMigration {
  const legacyCurrency = normalizeCurrency(options.legacyCurrency ?? DEFAULT_LEGACY_CURRENCY);
  return {
    up: async (db: Kysely<UntypedDatabase>) => {
      const dialect = options.dialect ?? detectSqlDialect(db);
      // Only a database 0.1.0 ran on can hold rows in 0.1.0's meanings: its orders have `currency` but no
      // `captured_price` (this version's 0001 creates both). The capture column is added last, after those rows
      // are rewritten, so a run that stops half-way still knows it on the next run.
      const ordersBefore = (await describeTable(db, dialect, tables.orders)) ?? [];
      const has = (column: string) => ordersBefore.some((c) => c.name === column);
      const ranOn010 = has('currency') && !has('captured_price');
      const specs = paymentTableSpecs(tables);
      for (const spec of specs) {
        await ensureTable(
          db,
          dialect,
          spec.name === tables.orders
            ? { ...spec, columns: spec.columns.filter((c) => c.name !== 'captured_price') }
            : spec,
        );
      }
      // Read-only first: a conflict stops the migration before any row changes.
      const fromAttempts = currenciesFromAttempts(
        await attemptCurrencies(db, tables, 'without-currency', TABLES_OF_0001),
      );
      if (ranOn010) await restoreAmountsDue(db, tables);
      for (const spec of specs) if (spec.name === tables.orders) await ensureTable(db, dialect, spec);
      await completeAttemptRows(db, tables);
      await unwrapEventEnvelopes(db, tables);
      await fillCurrencies(db, tables, fromAttempts, legacyCurrency);
    },
  };
}

/**
 * 0.1.0 kept the amount due in `payable_price` and wrote `paid_price` = 0 until the order was paid, then the
 * amount captured. Its unsettled orders (`currency` set, `paid_price` 0) get their amount due back in
 * `paid_price`. Nothing else is touched:
 * - paid and refunded orders keep `paid_price`: it holds what was charged, which is what the original meant by
 *   it on a paid order, and a `NULL` `captured_price` reads as it. (Rewriting it from `payable_price` would put
 *   the list price over the discounted amount on an original order 0.1.0 settled through the original's
 *   attempt.)
 * - orders with a non-zero `paid_price` that are not settled were written by the original (0.1.0 never wrote
 *   one), even when they have a currency: one set by hand to resolve `LEGACY_CURRENCY_CONFLICT`, or by 0.1.0
 *   repricing an original order it reused.
 */
async function restoreAmountsDue(db: Kysely<UntypedDatabase>, tables: TableNames): Promise<void> {
  await db
    .updateTable(tables.orders)
    .set((eb) => ({ paid_price: eb.ref('payable_price') }))
    .where('currency', 'is not', null)
    .where('status', 'not in', [ORDER_STATUS_CODES.paid, ORDER_STATUS_CODES.refunded])
    .where('paid_price', '=', 0)
    .execute();
}

/** `biz_domain` and the order's business ids on attempt rows that lack them (0.1.0 wrote neither). */
async function completeAttemptRows(db: Kysely<UntypedDatabase>, tables: TableNames): Promise<void> {
  // The native Alipay / WeChat Pay tables come with migration 0004, which creates them with these columns.
  const tablesOf0001 = Object.values(attemptTables(tables)).filter((t) => TABLES_OF_0001.includes(t.kind));

  for (const table of tablesOf0001) {
    if (table.scoped) {
      await db.updateTable(table.name).set({ biz_domain: ORDER_BIZ_DOMAIN }).where('biz_domain', 'is', null).execute();
    }
    for (const [column, source] of [
      ['user_bid', 'user_bid'],
      ['shifu_bid', 'shifu_bid'],
    ] as const) {
      await db
        .updateTable(table.name)
        .set((eb) => ({
          [column]: eb
            .selectFrom(tables.orders)
            .select(source)
            .whereRef(`${tables.orders}.order_bid`, '=', `${table.name}.order_bid`)
            .limit(1),
        }))
        .where(column, 'is', null)
        .execute();
    }
  }
}

/**
 * 0.1.0 stored webhook envelopes (`{"object":"event",…}`) in the provider-object columns. Keep the object an
 * envelope carried when it is this column's kind of object (a Stripe envelope's PaymentIntent or Session
 * goes to its own column); clear the column otherwise (a Stripe `charge` from `charge.refunded`): the event
 * itself is in the journal.
 */
async function unwrapEventEnvelopes(db: Kysely<UntypedDatabase>, tables: TableNames): Promise<void> {
  const kinds: Record<string, string> = {
    charge_object: 'charge',
    payment_intent_object: 'payment_intent',
    checkout_session_object: 'checkout.session',
  };
  const { pingxx, stripe } = attemptTables(tables);
  for (const [table, columns] of [
    [pingxx, ['charge_object']],
    [stripe, ['payment_intent_object', 'checkout_session_object']],
  ] as const) {
    for (const column of columns) {
      const rows = await db
        .selectFrom(table.name)
        .select([table.idColumn, column])
        .where(column, 'like', '%"object":"event"%')
        .execute();
      for (const row of rows) {
        const envelope = readJson(row[column]);
        if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) continue;
        if (envelope['object'] !== 'event') continue;
        const data = envelope['data'];
        const inner = typeof data === 'object' && data !== null && !Array.isArray(data) ? data['object'] : undefined;
        const kind = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? inner['object'] : undefined;
        const target = Object.entries(kinds).find(([c, k]) => k === kind && (columns as readonly string[]).includes(c));
        const set: Record<string, string | null> = { [column]: null };
        if (target) set[target[0]] = JSON.stringify(inner);
        await db.updateTable(table.name).set(set).where(table.idColumn, '=', row[table.idColumn]).execute();
      }
    }
  }
}

/** Every order without a currency gets its attempts' (already checked for conflicts), else the legacy one. */
async function fillCurrencies(
  db: Kysely<UntypedDatabase>,
  tables: TableNames,
  fromAttempts: Map<string, string>,
  legacyCurrency: string,
): Promise<void> {
  const byCurrency = new Map<string, string[]>();
  for (const [orderId, currency] of fromAttempts)
    byCurrency.set(currency, [...(byCurrency.get(currency) ?? []), orderId]);
  for (const [currency, orderIds] of byCurrency) {
    for (let i = 0; i < orderIds.length; i += 500) {
      await db
        .updateTable(tables.orders)
        .set({ currency })
        .where('currency', 'is', null)
        .where('order_bid', 'in', orderIds.slice(i, i + 500))
        .execute();
    }
  }
  await db.updateTable(tables.orders).set({ currency: legacyCurrency }).where('currency', 'is', null).execute();
}
