/**
 * `PaymentEventRepository` on `order_payment_events`: the journal whose unique (provider, event_id) key
 * makes webhook processing exactly-once.
 * @module
 */
import type { PaymentEventRepository } from '../persistence/ports.js';
import { assertEventOutcome, newEventRecord } from '../persistence/record-validation.js';
import type { EventOutcome, PaymentEventRecord } from '../persistence/records.js';
import { insertUnlessDuplicate } from './insert-unless-duplicate.js';
import type { RepositoryContext } from './repository-context.js';
import { dateParam, jsonParam, readDate, readJson, readRequiredDate, readString } from './sql-dialect.js';

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
    receivedAt: readRequiredDate(row['received_at']),
    processedAt: readDate(row['processed_at']),
  };
}

/** Creates the journal repository for one context. */
export function createEventRepository(ctx: RepositoryContext): PaymentEventRepository {
  const table = ctx.tables.events;
  return {
    insert: async (input) => {
      const record = newEventRecord(input, ctx.now());
      const inserted = await insertUnlessDuplicate(ctx, table, {
        provider: record.provider,
        event_id: record.eventId,
        type: record.type,
        provider_event_type: record.providerEventType,
        attempt_bid: record.attemptId,
        order_bid: record.orderId,
        outcome: record.outcome,
        detail: record.detail,
        payload: jsonParam(record.payload),
        received_at: dateParam(ctx.dialect, record.receivedAt),
        processed_at: null,
      });
      return inserted ? 'inserted' : 'duplicate';
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
