/**
 * The shop's `PaymentEventRepository`, the exactly-once gate: the journal key is the table's primary key and
 * a replay is an `ON CONFLICT` no-op, so it is reported as `duplicate` without aborting the transaction — or
 * as `conflict` when both it and the stored row carry a payload hash and the hashes differ.
 * @module
 */
import { EVENT_OUTCOMES, type PaymentEventRecord, type PaymentEventRepository } from '@org/payment-factory';
import { EVENT_COLUMNS, toRow } from './schema.js';
import { insert, insertReturning, many, one, update, type Db, type Exec } from './sql.js';
import { checkId, checkOneOf, checkText } from './validation.js';

/** The journal over `shop_payment_events`. */
export function events(db: Db, exec: Exec, now: () => Date): PaymentEventRepository {
  return {
    insert: (input) =>
      exec(() => {
        const record: PaymentEventRecord = {
          provider: checkId(input.provider, 'provider'),
          eventId: checkId(input.eventId, 'eventId'),
          type: checkId(input.type, 'type'),
          providerEventType: checkText(input.providerEventType, 'providerEventType'),
          attemptId: input.attemptId ?? null,
          orderId: input.orderId ?? null,
          outcome: checkOneOf(input.outcome ?? 'received', EVENT_OUTCOMES, 'outcome'),
          detail: input.detail ?? null,
          payload: (input.payload ?? null) as PaymentEventRecord['payload'],
          payloadHash: input.payloadHash ?? null,
          receivedAt: input.receivedAt ?? now(),
          processedAt: null,
        };
        if (record.payloadHash === null) {
          const inserted = insert(db, 'shop_payment_events', toRow(EVENT_COLUMNS, record), 'ON CONFLICT DO NOTHING');
          return inserted === 1 ? 'inserted' : 'duplicate';
        }
        // One statement answers all three: no row back is a duplicate, our hash back is an insert, another
        // hash back (the stored one; the no-op update keeps it) is a conflict.
        const returned = insertReturning(
          db,
          'shop_payment_events',
          toRow(EVENT_COLUMNS, record),
          `ON CONFLICT (provider, event_id) DO UPDATE SET payload_hash = shop_payment_events.payload_hash
           WHERE shop_payment_events.payload_hash IS NOT NULL AND shop_payment_events.payload_hash <> excluded.payload_hash
           RETURNING payload_hash`,
        );
        if (returned === undefined) return 'duplicate';
        return returned['payload_hash'] === record.payloadHash ? 'inserted' : 'conflict';
      }),
    markProcessed: (provider, eventId, outcome, detail = null) =>
      exec(() => {
        const set = toRow(EVENT_COLUMNS, {
          outcome: checkOneOf(outcome, EVENT_OUTCOMES, 'outcome'),
          detail,
          processedAt: now(),
        });
        return update(db, 'shop_payment_events', set, { provider, event_id: eventId }) === 1;
      }),
    find: (provider, eventId) =>
      exec(() =>
        one(
          db,
          EVENT_COLUMNS,
          'SELECT * FROM shop_payment_events WHERE provider = ? AND event_id = ?',
          provider,
          eventId,
        ),
      ),
    listByOrder: (orderId) =>
      exec(() =>
        many(
          db,
          EVENT_COLUMNS,
          'SELECT * FROM shop_payment_events WHERE order_id = ? ORDER BY received_at, provider, event_id',
          orderId,
        ),
      ),
  };
}
