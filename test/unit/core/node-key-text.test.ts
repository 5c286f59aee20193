import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPemText, parseBareDer } from '../../../src/core/node-key-text.js';

describe('native providers key text', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pkcs1 = privateKey.export({ format: 'der', type: 'pkcs1' }).toString('base64');
  const parse = (der: Buffer, type: 'pkcs8' | 'pkcs1') => createPrivateKey({ key: der, format: 'der', type });

  it('tells PEM from bare base64 DER', () => {
    expect(isPemText(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)).toBe(true);
    expect(isPemText(pkcs1)).toBe(false);
  });

  it('parses bare DER with line breaks by the first encoding that fits (pkcs8 fails, pkcs1 fits)', () => {
    const wrapped = pkcs1.replace(/(.{64})/g, '$1\n');
    const key = parseBareDer(wrapped, parse, ['pkcs8', 'pkcs1']);
    expect(key.export({ format: 'der', type: 'pkcs1' }).toString('base64')).toBe(pkcs1);
  });

  it("throws the last parser's error when no encoding fits", () => {
    expect(() => parseBareDer(pkcs1, parse, ['pkcs8'])).toThrow();
    expect(() => parseBareDer('bm90IGEga2V5', parse, ['pkcs8', 'pkcs1'])).toThrow();
  });
});
