import { describe, expect, it } from 'vitest';
import { registerSecrets } from '../../../src/core/secret-scrubber.js';
import { NATIVE_RAW_MAX_CHARS, nativeRawValue } from '../../../src/service/native-raw.js';

describe('nativeRawValue (raw_request / raw_notification)', () => {
  it('keeps a small payload as JSON, dates as ISO strings', () => {
    const at = new Date(Date.UTC(2026, 11, 1));
    expect(nativeRawValue({ out_trade_no: 'a1', amount: { total: 1999, currency: 'CNY' }, at })).toEqual({
      out_trade_no: 'a1',
      amount: { total: 1999, currency: 'CNY' },
      at: at.toISOString(),
    });
    expect(nativeRawValue(undefined)).toBeNull();
  });

  it('drops signatures and ciphertext at any depth', () => {
    expect(
      nativeRawValue({
        sign: 'abc',
        sign_type: 'RSA2',
        trade_status: 'TRADE_SUCCESS',
        params: { paySign: 'x', package: 'prepay_id=1' },
        resource: { ciphertext: 'zzz', nonce: 'n' },
        list: [{ signature: 's', id: 1 }],
      }),
    ).toEqual({
      sign_type: 'RSA2',
      trade_status: 'TRADE_SUCCESS',
      params: { package: 'prepay_id=1' },
      resource: { nonce: 'n' },
      list: [{ id: 1 }],
    });
  });

  it('scrubs a configured secret wherever it appears', () => {
    const secret = 'apiv3-key-0123456789abcdefghijkl';
    registerSecrets([secret]);
    const stored = JSON.stringify(nativeRawValue({ attach: `leak ${secret}` }));
    expect(stored).not.toContain(secret);
    expect(stored).toContain('leak');
  });

  it('stores an oversized payload as a bounded summary', () => {
    const big = { description: 'x'.repeat(NATIVE_RAW_MAX_CHARS) };
    const stored = nativeRawValue(big) as { truncated: boolean; chars: number; head: string };
    expect(stored.truncated).toBe(true);
    expect(stored.chars).toBe(JSON.stringify(big).length);
    expect(JSON.stringify(stored).length).toBeLessThan(NATIVE_RAW_MAX_CHARS);
    expect(stored.head.startsWith('{"description":"xxx')).toBe(true);
  });
});
