import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PaymentError } from '../../../src/core/errors.js';
import { registerSecrets, scrubSecrets, sealCause, sealObject } from '../../../src/core/secret-scrubber.js';

describe('the one secret scrubber', () => {
  it('scrubs registered values that have no recognisable shape', () => {
    registerSecrets(['plainvalue-4417-zz', undefined, null, 'short']);
    expect(scrubSecrets('token plainvalue-4417-zz here')).toBe('token [redacted] here');
    expect(scrubSecrets('a short word')).toBe('a short word'); // too short to register
  });

  it('finds each secret among many thousands registered (one merchant account version after another)', () => {
    // Many accounts' keys: the scrub looks secrets up by prefix, so every one must still be found, also those
    // registered after an earlier scrub built the index, and a secret containing another is replaced whole.
    const many = Array.from({ length: 20_000 }, (_, i) => `acct-secret-${i.toString(36).padStart(6, '0')}-tail`);
    registerSecrets(many);
    expect(scrubSecrets(`a ${many[0]} b ${many[19_999]} c ${many[7_777]}`)).toBe(
      'a [redacted] b [redacted] c [redacted]',
    );
    registerSecrets(['acct-secret-late-registered', 'acct-secret-late-registered-and-longer']);
    expect(scrubSecrets('x acct-secret-late-registered-and-longer y acct-secret-late-registered z')).toBe(
      'x [redacted] y [redacted] z',
    );
    expect(scrubSecrets('acct-secret-not-registered')).toBe('acct-secret-not-registered');
    // A URL password whose decoded form is shorter than the index prefix is still found.
    registerSecrets(['mysql://u:%71%72%73%74%75@db/pay']);
    expect(scrubSecrets('decoded qrstu here')).toBe('decoded [redacted] here');
  });

  it('registers only the password of a URL', () => {
    registerSecrets(['mysql://root:Hunter2Hunter2@db:3306/pay']);
    expect(scrubSecrets('lost mysql://root:Hunter2Hunter2@db:3306/pay')).toBe(
      'lost mysql://root:[redacted]@db:3306/pay',
    );
    expect(scrubSecrets('password was Hunter2Hunter2')).toBe('password was [redacted]');
    expect(scrubSecrets('db:3306/pay is down')).toBe('db:3306/pay is down');
  });

  it.each([
    ['sk_live_abc123DEF', '[redacted key]'],
    ['whsec_abcDEF123', '[redacted key]'],
    ['-----BEGIN PRIVATE KEY-----\nMIIabc\n-----END PRIVATE KEY-----', '[redacted private key]'],
    ['https://u:p4ss@host/x', 'https://u:[redacted]@host/x'],
  ])('scrubs the known shape %j', (text, expected) => {
    expect(scrubSecrets(text)).toBe(expected);
  });

  it('keeps a clean cause as is, and replaces a leaking one with a scrubbed copy', () => {
    const clean = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(sealCause(clean)).toBe(clean);
    const leaking = Object.assign(new Error('bad key plainvalue-4417-zz'), { code: 'E_KEY', raw: { key: 'x' } });
    const sealed = sealCause(leaking) as Error & { code?: string; raw?: unknown };
    expect(sealed).not.toBe(leaking);
    expect(sealed).toMatchObject({ message: 'bad key [redacted]', code: 'E_KEY' });
    expect(sealed.raw).toBeUndefined();
  });

  it('seals errors at birth: message, details, cause', () => {
    const error = new PaymentError('failed with plainvalue-4417-zz', {
      details: { providerMessage: 'echo plainvalue-4417-zz', nested: { url: 'postgres://a:plainvalue-4417-zz@h/d' } },
      cause: new Error('inner plainvalue-4417-zz'),
    });
    for (const text of [inspect(error, { depth: 10 }), JSON.stringify(error), error.message]) {
      expect(text).not.toContain('plainvalue-4417-zz');
    }
  });

  it('renders a sealed object through its view under inspect and JSON.stringify', () => {
    const target = sealObject({ name: 'x', secret: 'plainvalue-4417-zz' }, () => ({ name: 'x' }));
    expect(JSON.stringify(target)).toBe('{"name":"x"}');
    expect(inspect(target)).toBe("{ name: 'x' }");
    expect(target.secret).toBe('plainvalue-4417-zz');
  });
});
