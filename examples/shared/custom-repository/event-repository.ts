/**
 * The shop's `PaymentEventRepository`, the exactly-once gate: the journal key is the table's primary key and
 * a replay is `ON CONFLICT DO NOTHING`, so it is reported as `duplicate` without aborting the transaction.
 * @module
 */
import { EVENT_OUTCOMES, type PaymentEventRecord, type PaymentEventRepository } from '@org/payment-factory';
import { EVENT_COLUMNS, toRow } from './schema.js';
import { insert, many, one, update, type Db, type Exec } from './sql.js';
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
          receivedAt: input.receivedAt ?? now(),
          processedAt: null,
        };
        return insert(
          db,
          'shop_payment_events',
          toRow(EVENT_COLUMNS, record),
          'ON CONFLICT (provider, event_id) DO NOTHING',
        ) === 1
          ? 'inserted'
          : 'duplicate';
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
