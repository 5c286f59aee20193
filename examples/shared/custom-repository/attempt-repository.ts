/**
 * The shop's `AttemptRepository`: every provider kind in one table, kind-specific columns refused for other
 * kinds, and a move to a final status stamping its time.
 * @module
 */
import {
  ATTEMPT_STATUSES,
  NotFoundError,
  ValidationError,
  type AttemptRecord,
  type AttemptRepository,
} from '@org/payment-factory';
import { ATTEMPT_COLUMNS, toRow } from './schema.js';
import { insert, isUniqueViolation, many, one, orderExists, update, type Db, type Exec, type Row } from './sql.js';
import {
  checkAmount,
  checkAttemptPatch,
  checkCurrency,
  checkGuard,
  checkId,
  checkLimit,
  checkOneOf,
  statusTimestamp,
} from './validation.js';

/** Every attempt field `null`: the base a new attempt's given fields are laid over. */
const EMPTY_ATTEMPT = Object.fromEntries(
  Object.keys(ATTEMPT_COLUMNS).map((k) => [k, null]),
) as unknown as AttemptRecord;

/** The attempts repository over `shop_attempts`. */
export function attempts(db: Db, exec: Exec, now: () => Date): AttemptRepository {
  const latestFirst = 'ORDER BY created_at DESC, attempt_id DESC LIMIT 1';
  return {
    create: (input) =>
      exec(() => {
        const kind = checkId(input.providerKind, 'providerKind');
        const createdAt = input.createdAt ?? now();
        const record: AttemptRecord = {
          ...EMPTY_ATTEMPT,
          ...checkAttemptPatch(kind, input),
          attemptId: checkId(input.attemptId, 'attemptId'),
          orderId: checkId(input.orderId, 'orderId'),
          providerKind: kind,
          provider: checkId(input.provider ?? kind, 'provider'),
          channel: checkId(input.channel, 'channel'),
          amount: checkAmount(input.amount, 'amount'),
          currency: checkCurrency(input.currency),
          status: checkOneOf(input.status ?? 'pending', ATTEMPT_STATUSES, 'status'),
          createdAt,
          updatedAt: createdAt,
        } as AttemptRecord;
        // Stored as JSON and read back parsed: return what a later read returns (a Date in `raw` becomes a string).
        for (const field of ['result', 'raw', 'metadata', 'extra'] as const) {
          (record as unknown as Row)[field] = record[field] == null ? null : JSON.parse(JSON.stringify(record[field]));
        }
        if (!orderExists(db, record.orderId))
          throw new NotFoundError('No order with this orderId.', { code: 'ORDER_NOT_FOUND' });
        try {
          insert(db, 'shop_attempts', toRow(ATTEMPT_COLUMNS, record));
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          throw new ValidationError('An attempt with this attemptId already exists.', {
            code: 'DUPLICATE_ATTEMPT',
            field: 'attemptId',
          });
        }
        return record;
      }),
    findById: (attemptId) =>
      exec(() => one(db, ATTEMPT_COLUMNS, 'SELECT * FROM shop_attempts WHERE attempt_id = ?', attemptId)),
    findByProviderReference: (kind, reference) =>
      exec(() =>
        one(
          db,
          ATTEMPT_COLUMNS,
          `SELECT * FROM shop_attempts WHERE provider_kind = @kind AND (provider_reference = @ref OR charge_id = @ref
           OR payment_intent_id = @ref OR checkout_session_id = @ref OR latest_charge_id = @ref
           OR transaction_id = @ref) ${latestFirst}`,
          { kind, ref: reference },
        ),
      ),
    findLatestByOrder: (orderId) =>
      exec(() => one(db, ATTEMPT_COLUMNS, `SELECT * FROM shop_attempts WHERE order_id = ? ${latestFirst}`, orderId)),
    listByOrder: (orderId) =>
      exec(() =>
        many(
          db,
          ATTEMPT_COLUMNS,
          'SELECT * FROM shop_attempts WHERE order_id = ? ORDER BY created_at, attempt_id',
          orderId,
        ),
      ),
    updateStatus: ({ attemptId, from, to, patch = {} }) =>
      exec(() => {
        checkGuard(from, to, ATTEMPT_STATUSES);
        const row = db.prepare('SELECT provider_kind FROM shop_attempts WHERE attempt_id = ?').get(attemptId) as
          Row | undefined;
        if (!row) return false;
        const clean = checkAttemptPatch(row.provider_kind as string, patch);
        const stamp = statusTimestamp(to);
        const at = now();
        const set = toRow(ATTEMPT_COLUMNS, {
          ...clean,
          ...(stamp && clean[stamp] === undefined ? { [stamp]: at } : {}),
          status: to,
          updatedAt: at,
        });
        return update(db, 'shop_attempts', set, { attempt_id: attemptId }, from) === 1;
      }),
    update: (attemptId, patch) =>
      exec(() => {
        const row = db.prepare('SELECT provider_kind FROM shop_attempts WHERE attempt_id = ?').get(attemptId) as
          Row | undefined;
        if (!row) return false;
        const set = toRow(ATTEMPT_COLUMNS, {
          ...checkAttemptPatch(row.provider_kind as string, patch),
          updatedAt: now(),
        });
        return update(db, 'shop_attempts', set, { attempt_id: attemptId }) === 1;
      }),
    listPending: ({ createdBefore, limit }) =>
      exec(() =>
        many(
          db,
          ATTEMPT_COLUMNS,
          "SELECT * FROM shop_attempts WHERE status = 'pending' AND created_at < ? ORDER BY created_at, attempt_id LIMIT ?",
          createdBefore.getTime(),
          checkLimit(limit),
        ),
      ),
  };
}
