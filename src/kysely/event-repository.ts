/**
 * `PaymentEventRepository` on `order_payment_events`: the journal whose unique (provider, event_id) key
 * makes webhook processing exactly-once.
 * @module
 */
import { sql } from './kysely-module.js';
import type { JournalOutcome, PaymentEventRepository } from '../persistence/ports.js';
import { assertEventOutcome, newEventRecord, toJsonText } from '../persistence/record-validation.js';
import type { EventOutcome, PaymentEventRecord } from '../persistence/records.js';
import { definedEntries, runCompiled } from './compiled-statements.js';
import { insertUnlessDuplicate } from './insert-unless-duplicate.js';
import type { RepositoryContext } from './repository-context.js';
import { dateParam, readDate, readJson, readRequiredDate, readString } from './sql-dialect.js';

/** Maps an `order_payment_events` row to a record. */
export function eventFromRow(row: Record<string, unknown>): PaymentEventRecord {
  return {
    provider: String(row['provider']),
    eventId: String(row['event_id']),
    type: String(row['type']),
    providerEventType: readString(row['provider_event_type']) ?? '',
    attemptId: readString(row['attempt_bid']),
    orderId: readString(row['order_bid']),
    outcome: readString(row['outcome']) as EventOutcome | null,
    detail: readString(row['detail']),
    payload: readJson(row['payload']),
    payloadHash: readString(row['payload_hash']),
    receivedAt: readRequiredDate(row['received_at']),
    processedAt: readDate(row['processed_at']),
  };
}

/** `varchar(64)` and `varchar(255)` of the journal, and MySQL's `mediumtext` payload (bytes). */
const SHORT = 64;
const STRING = 255;
const MEDIUMTEXT_BYTES = 16_777_215;

/** Whether every value fits its `order_payment_events` column (so MySQL may insert with `IGNORE`). */
function fitsColumns(record: PaymentEventRecord, payload: string | null): boolean {
  const short = (v: string | null) => v === null || v.length <= SHORT;
  return (
    short(record.provider) &&
    short(record.type) &&
    short(record.attemptId) &&
    short(record.orderId) &&
    record.eventId.length <= STRING &&
    record.providerEventType.length <= STRING &&
    // A UTF-16 unit is at most 3 UTF-8 bytes; count exactly only when that bound is not enough.
    (payload === null || payload.length * 3 <= MEDIUMTEXT_BYTES || utf8Length(payload) <= MEDIUMTEXT_BYTES)
  );
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

/** Creates the journal repository for one context. */
export function createEventRepository(ctx: RepositoryContext): PaymentEventRepository {
  const table = ctx.tables.events;
  return {
    insert: async (input) => {
      // The payload is only written: serialised once, never copied.
      const record = newEventRecord({ ...input, payload: null }, ctx.now());
      const payload = toJsonText(input.payload);
      const values = {
        provider: record.provider,
        event_id: record.eventId,
        type: record.type,
        provider_event_type: record.providerEventType,
        attempt_bid: record.attemptId,
        order_bid: record.orderId,
        outcome: record.outcome,
        detail: record.detail,
        payload,
        payload_hash: record.payloadHash,
        received_at: dateParam(ctx.dialect, record.receivedAt),
        processed_at: record.processedAt === null ? null : dateParam(ctx.dialect, record.processedAt),
      };
      if (record.payloadHash === null) {
        const fits = ctx.dialect === 'mysql' && fitsColumns(record, payload);
        return (await insertUnlessDuplicate(ctx, table, values, fits)) ? 'inserted' : 'duplicate';
      }
      return insertComparingHash(ctx, table, values, record.payloadHash);
    },

    markProcessed: async (provider, eventId, outcome, detail) => {
      assertEventOutcome(outcome);
      const result = await ctx.db
        .updateTable(table)
        .set({ outcome, detail: detail ?? null, processed_at: dateParam(ctx.dialect, ctx.now()) })
        .where('provider', '=', provider)
        .where('event_id', '=', eventId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    find: async (provider, eventId) => {
      const row = await ctx.db
        .selectFrom(table)
        .selectAll()
        .where('provider', '=', provider)
        .where('event_id', '=', eventId)
        .executeTakeFirst();
      return row ? eventFromRow(row) : null;
    },

    listByOrder: async (orderId) => {
      const rows = await ctx.db
        .selectFrom(table)
        .selectAll()
        .where('order_bid', '=', orderId)
        .orderBy('received_at', 'asc')
        .orderBy('event_id', 'asc')
        .execute();
      return rows.map(eventFromRow);
    },
  };
}

/**
 * `LAST_INSERT_ID` values the MySQL duplicate path reports (see {@link insertComparingHash}): far above any
 * id the journal's AUTO_INCREMENT will reach, and exactly representable as JavaScript numbers.
 */
const MYSQL_SAME_PAYLOAD = 9007199254740990n;
const MYSQL_OTHER_PAYLOAD = 9007199254740991n;

/**
 * Journals an event that carries a payload hash, telling `inserted`, `duplicate` and `conflict` apart in
 * the one INSERT statement (the duplicate path costs no extra round trip):
 * - PostgreSQL, SQLite: `ON CONFLICT (provider, event_id) DO UPDATE SET payload_hash = payload_hash
 *   WHERE <stored hash set and different> RETURNING payload_hash`. No row back: a duplicate (the no-op
 *   update was filtered out; PostgreSQL still locks the row until the transaction ends, as DO NOTHING
 *   waits for it). A row with our hash: inserted. A row with another hash: conflict. The stored row keeps
 *   every value.
 * - MySQL/MariaDB (no RETURNING): `ON DUPLICATE KEY UPDATE id = id + 0 * LAST_INSERT_ID(<sentinel>)`,
 *   which changes nothing but makes the statement's insert id a sentinel saying which duplicate it was;
 *   an inserted row reports its own AUTO_INCREMENT id instead. (Affected rows cannot tell: with
 *   `CLIENT_FOUND_ROWS`, mysql2's default, an untouched duplicate counts 1 like an insert.)
 */
async function insertComparingHash(
  ctx: RepositoryContext,
  table: string,
  values: Record<string, unknown>,
  hash: string,
): Promise<JournalOutcome> {
  const { columns, parameters } = definedEntries(values);
  if (ctx.dialect === 'mysql') {
    const result = await runCompiled(ctx, `journal ${table}(${columns})`, parameters, () =>
      ctx.db
        .insertInto(table)
        .values(values)
        .onDuplicateKeyUpdate({
          id: sql`id + 0 * LAST_INSERT_ID(IF(payload_hash IS NOT NULL AND payload_hash <> VALUES(payload_hash), ${sql.raw(
            MYSQL_OTHER_PAYLOAD.toString(),
          )}, ${sql.raw(MYSQL_SAME_PAYLOAD.toString())}))`,
        }),
    );
    const id = result.insertId;
    if (id === MYSQL_OTHER_PAYLOAD) return 'conflict';
    if (id === MYSQL_SAME_PAYLOAD) return 'duplicate';
    return 'inserted';
  }
  const stored = sql.ref(`${table}.payload_hash`);
  const { rows } = await runCompiled(ctx, `journal ${table}(${columns})`, parameters, () =>
    ctx.db
      .insertInto(table)
      .values(values)
      .onConflict((oc) =>
        oc
          .columns(['provider', 'event_id'])
          .doUpdateSet({ payload_hash: stored })
          .where(sql<boolean>`${stored} is not null and ${stored} <> excluded.payload_hash`),
      )
      .returning('payload_hash'),
  );
  const row = rows[0];
  if (row === undefined) return 'duplicate';
  return row['payload_hash'] === hash ? 'inserted' : 'conflict';
}
