import * as net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPingxxProvider } from '../../../src/pingxx/index.js';
import { isIPv4, isIPv6 } from '../../../src/pingxx/pingxx-ip.js';
import { generatePingxxTestKeyPair, signPingxxWebhook } from '../../../src/testing/pingxx-signer.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Ping++ on a runtime without Node built-ins (workerd, Vercel Edge)', () => {
  const keys = generatePingxxTestKeyPair('unit-runtime');
  const options = { secretKey: 'sk_test_edge', appId: 'app_edge', webhookPublicKey: keys.publicKey };

  it('builds, verifies webhooks, and answers API calls with a typed error saying the SDK cannot run here', async () => {
    const event = { id: 'evt_1', object: 'event', created: 1, livemode: false, type: 'x.y', data: { object: {} } };
    const signed = signPingxxWebhook(event, keys.privateKey);
    vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined);
    const provider = createPingxxProvider(options);
    await expect(provider.verifyWebhook(signed)).resolves.toMatchObject({
      type: 'unsupported',
    });
    await expect(provider.retrievePayment({ providerReference: 'ch_edge1' })).rejects.toMatchObject({
      name: 'UnsupportedOperationError',
      code: 'PINGXX_SDK_UNSUPPORTED_RUNTIME',
      message: expect.stringMatching(/cannot run on this JavaScript runtime/) as string,
    });
  });

  it('names the missing file system for a key path, at construction', () => {
    vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined);
    expect(() =>
      createPingxxProvider({ ...options, webhookPublicKey: undefined, webhookPublicKeyPath: '/keys/pingxx.pem' }),
    ).toThrowError(
      expect.objectContaining({ code: 'RUNTIME_FEATURE_MISSING', message: expect.stringMatching(/node:fs/) }),
    );
  });
});

describe('IP checks without node:net', () => {
  it.each([
    '1.2.3.4',
    '01.2.3.4',
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4 ',
    '::',
    '::1',
    ' ::1',
    'fe80::1%eth0',
    'fe80::1%25eth0',
    '::1%',
    '::1%a%b',
    '::ffff:1.2.3.4',
    '::ffff:999.1.1.1',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:1.2.3.4',
    '1::2::3',
    'gggg::1',
    '[::1]',
    '2001:db8::',
    '12345::',
    '',
  ])('agrees with node:net on %j', (value) => {
    expect([isIPv4(value), isIPv6(value)]).toEqual([net.isIPv4(value), net.isIPv6(value)]);
  });
});
