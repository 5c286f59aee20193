import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  accountIdFromRouteToken,
  constantTimeEqual,
  merchantAccountRouteToken,
} from '../../../src/core/merchant-account-route.js';

const KEY = 'k'.repeat(32);

describe('merchant account route tokens', () => {
  it('are <accountId>.<hex HMAC-SHA256(key, accountId)>', async () => {
    const mac = createHmac('sha256', KEY).update('acct_1').digest('hex');
    expect(await merchantAccountRouteToken(KEY, 'acct_1')).toBe(`acct_1.${mac}`);
    expect(await merchantAccountRouteToken(new TextEncoder().encode(KEY), 'acct_1')).toBe(`acct_1.${mac}`);
  });

  it('give back the account id only for a token the key made', async () => {
    const token = await merchantAccountRouteToken(KEY, 'acct.with.dots');
    expect(await accountIdFromRouteToken(KEY, token)).toBe('acct.with.dots');
    expect(await accountIdFromRouteToken('x'.repeat(32), token)).toBeNull();
    const mac = token.slice(token.lastIndexOf('.') + 1);
    expect(await accountIdFromRouteToken(KEY, `acct_2.${mac}`)).toBeNull();
    expect(await accountIdFromRouteToken(KEY, `${token.slice(0, -1)}0`)).toBe(
      token.endsWith('0') ? 'acct.with.dots' : null,
    );
    for (const bad of ['', 'nodot', '.abc', `acct/1.${mac}`])
      expect(await accountIdFromRouteToken(KEY, bad)).toBeNull();
  });

  it('refuse a short key and an account id that cannot be a path segment', async () => {
    await expect(merchantAccountRouteToken('short', 'acct_1')).rejects.toMatchObject({
      code: 'MERCHANT_ROUTE_KEY_TOO_SHORT',
    });
    await expect(merchantAccountRouteToken(KEY, 'a/b')).rejects.toMatchObject({ code: 'INVALID_ACCOUNT_ID' });
  });

  it('compares every character whatever differs first', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
