/** Shared fixtures of the Ping++ unit tests. */
import { expect } from 'vitest';
import type { PaymentError } from '../../../src/core/errors.js';
import type { PingxxCharge } from '../../../src/pingxx/pingxx-types.js';

/**
 * An unpaid `alipay_qr` charge as Ping++ returns it, with `client_ip` and `metadata` set (fields a
 * browser must never see).
 */
export function pingxxCharge(overrides: Partial<PingxxCharge> = {}): PingxxCharge {
  return {
    id: 'ch_1',
    object: 'charge',
    created: 1,
    livemode: false,
    paid: false,
    refunded: false,
    reversed: false,
    app: 'app_1',
    channel: 'alipay_qr',
    order_no: 'a1',
    client_ip: '1.2.3.4',
    amount: 100,
    currency: 'cny',
    subject: 's',
    body: 'b',
    time_paid: null,
    time_expire: 100,
    transaction_no: null,
    amount_refunded: 0,
    failure_code: null,
    failure_msg: null,
    metadata: { order_bid: 'o1' },
    credential: {},
    ...overrides,
  };
}

/** Runs `fn`, expects it to throw a `type`, and returns the error; fails the test when nothing is thrown. */
export function thrown<E extends PaymentError>(fn: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a ${type.name}`);
}
