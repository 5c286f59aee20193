import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  fromBase64,
  randomHex,
  requireWebCrypto,
  toBase64,
  toHex,
  utf8Decode,
  utf8Encode,
  utf8Length,
} from '../../../src/core/web-crypto.js';
import {
  createFeishuNotifier,
  createPaymentService,
  createPaymentFactory,
  signFeishuRequest,
} from '../../../src/index.js';
import { createHmac } from 'node:crypto';
import { createInMemoryRepositories } from '../../../src/testing/index.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Web-standard byte helpers', () => {
  it('encodes hex and base64 exactly like Buffer does', () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 31) & 0xff);
    expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
    expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    expect(Buffer.from(fromBase64(Buffer.from(bytes).toString('base64'))!).equals(Buffer.from(bytes))).toBe(true);
  });

  it('refuses text that is not base64', () => {
    expect(fromBase64('not base64!')).toBeNull();
    expect(fromBase64('abcde')).toBeNull();
    expect(fromBase64('YWJj\nZA==')).toEqual(new Uint8Array([97, 98, 99, 100]));
  });

  it('keeps a leading byte-order mark when decoding, as the signed bytes have it', () => {
    const text = utf8Decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]));
    expect(text).toBe('\ufeff{}');
    expect(utf8Encode('€')).toEqual(new Uint8Array([0xe2, 0x82, 0xac]));
    expect(utf8Length('支付')).toBe(6);
  });

  it('makes 32-hex ids from getRandomValues', () => {
    const ids = new Set(Array.from({ length: 100 }, () => randomHex(16)));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('a runtime without Web Crypto', () => {
  it('is named at construction, not at the first request', () => {
    vi.stubGlobal('crypto', undefined);
    expect(() => requireWebCrypto('subtle', 'something')).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', code: 'RUNTIME_FEATURE_MISSING' }),
    );
    const factory = createPaymentFactory({ providers: [] });
    expect(() => createPaymentService({ factory, repositories: createInMemoryRepositories() })).toThrow(
      /globalThis\.crypto\.getRandomValues/,
    );
    expect(() => createFeishuNotifier({ webhookUrl: 'https://open.feishu.cn/x', secret: 's' })).toThrow(
      /globalThis\.crypto\.subtle/,
    );
  });

  it('is not needed when the host supplies ids', () => {
    vi.stubGlobal('crypto', undefined);
    const factory = createPaymentFactory({ providers: [] });
    expect(() =>
      createPaymentService({ factory, repositories: createInMemoryRepositories(), ids: () => 'x' }),
    ).not.toThrow();
  });
});

describe('signFeishuRequest on Web Crypto', () => {
  it('matches the HMAC Feishu documents (key = "timestamp\\nsecret", empty message)', async () => {
    const expected = createHmac('sha256', '1700000000\nbot-secret').update('').digest('base64');
    await expect(signFeishuRequest(1_700_000_000, 'bot-secret')).resolves.toBe(expected);
  });
});
