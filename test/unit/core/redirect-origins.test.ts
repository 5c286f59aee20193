import { describe, expect, it } from 'vitest';
import {
  assertRedirectUrlAllowed,
  assertRedirectUrlsAllowed,
  originOf,
  originsOf,
  parseRedirectOrigins,
} from '../../../src/core/redirect-origins.js';

const ALLOWED = ['https://shop.example', 'http://localhost:3000'];

describe('redirect allow-list', () => {
  it.each([
    ['https://shop.example/paid?x=1#y', 'https://shop.example'],
    ['HTTPS://Shop.Example:443/paid', 'https://shop.example'],
    ['http://localhost:3000/ok', 'http://localhost:3000'],
    ['https://shop.example/done?sid={CHECKOUT_SESSION_ID}', 'https://shop.example'],
    ['https://shop.example@evil.example/x', 'https://evil.example'],
    ['javascript:alert(1)', null],
    ['//evil.example/x', null],
    ['/relative', null],
    [42, null],
  ])('originOf(%j) is %j', (url, origin) => {
    expect(originOf(url)).toBe(origin);
  });

  it.each([
    'https://shop.example/paid',
    'https://shop.example:443/x',
    'http://localhost:3000/pay/success?order=1',
    'https://shop.example/done?sid={CHECKOUT_SESSION_ID}',
  ])('allows %s', (url) => {
    expect(() => assertRedirectUrlAllowed(url, ALLOWED, 'extra.successUrl')).not.toThrow();
  });

  it.each([
    ['https://evil.example/phish', 'REDIRECT_URL_NOT_ALLOWED'],
    ['http://shop.example/paid', 'REDIRECT_URL_NOT_ALLOWED'],
    ['https://shop.example.evil.example/x', 'REDIRECT_URL_NOT_ALLOWED'],
    ['https://evil.shop.example/x', 'REDIRECT_URL_NOT_ALLOWED'],
    ['https://shop.example@evil.example/x', 'REDIRECT_URL_NOT_ALLOWED'],
    ['http://localhost:3001/x', 'REDIRECT_URL_NOT_ALLOWED'],
    ['javascript:alert(1)', 'INVALID_REDIRECT_URL'],
    ['/relative', 'INVALID_REDIRECT_URL'],
  ])('refuses %s with %s', (url, code) => {
    expect(() => assertRedirectUrlAllowed(url, ALLOWED, 'extra.successUrl', 'stripe')).toThrow(
      expect.objectContaining({ name: 'ValidationError', code, field: 'extra.successUrl', provider: 'stripe' }),
    );
  });

  it('checks every redirect field of extra and ignores the others', () => {
    expect(() =>
      assertRedirectUrlsAllowed(
        { successUrl: 'https://shop.example/a', openId: 'x', notify_url: 'https://evil.example' },
        ALLOWED,
      ),
    ).not.toThrow();
    for (const field of ['successUrl', 'cancelUrl', 'resultUrl', 'returnUrl']) {
      expect(() => assertRedirectUrlsAllowed({ [field]: 'https://evil.example/x' }, ALLOWED)).toThrow(
        expect.objectContaining({ field: `extra.${field}` }),
      );
    }
    expect(() => assertRedirectUrlsAllowed({ successUrl: '' }, [])).not.toThrow();
    expect(() => assertRedirectUrlsAllowed(undefined, [])).not.toThrow();
  });

  it('parses a comma-separated list of bare origins and refuses anything else', () => {
    expect(parseRedirectOrigins(' https://shop.example/, http://localhost:3000 ,,https://shop.example')).toEqual([
      'https://shop.example',
      'http://localhost:3000',
    ]);
    for (const bad of ['https://shop.example/pay', 'shop.example', 'ftp://shop.example', 'https://u:p@shop.example']) {
      expect(() => parseRedirectOrigins(bad)).toThrow(expect.objectContaining({ code: 'INVALID_REDIRECT_ORIGINS' }));
    }
  });

  it('derives the default list from configured URLs', () => {
    expect(originsOf(['https://shop.example/paid', 'https://shop.example/cart', undefined, 'nope'])).toEqual([
      'https://shop.example',
    ]);
  });
});
