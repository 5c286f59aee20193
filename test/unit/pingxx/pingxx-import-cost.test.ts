import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { generatePingxxTestKeyPair, signPingxxWebhook } from '../../../src/testing/pingxx-signer.js';

const cache = createRequire(import.meta.url).cache;
const pingppLoaded = (): boolean => Object.keys(cache).some((path) => /[\\/]node_modules[\\/]pingpp[\\/]/.test(path));

describe('loading pingpp', () => {
  it('waits until the first API call: importing, building a provider and verifying webhooks do not load the SDK', async () => {
    const { createPingxxProvider } = await import('../../../src/pingxx/index.js');
    expect(pingppLoaded()).toBe(false);
    const keys = generatePingxxTestKeyPair('unit-import-cost');
    const provider = createPingxxProvider({
      secretKey: 'sk_test_lazy',
      appId: 'app_lazy',
      webhookPublicKey: keys.publicKey,
      // Nothing listens on the discard port: the call fails fast, after loading the SDK.
      host: '127.0.0.1',
      port: 9,
      protocol: 'http',
      timeoutMs: 5_000,
    });
    const event = {
      id: 'evt_1',
      object: 'event',
      created: 1,
      livemode: false,
      type: 'summary.daily.available',
      data: { object: {} },
    };
    await provider.verifyWebhook(signPingxxWebhook(event, keys.privateKey));
    expect(pingppLoaded()).toBe(false);
    await expect(provider.retrievePayment({ providerReference: 'ch_lazy1' })).rejects.toMatchObject({
      name: 'ProviderUnavailableError',
    });
    expect(pingppLoaded()).toBe(true);
  });
});
