import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const cache = createRequire(import.meta.url).cache;
const pingppLoaded = (): boolean => Object.keys(cache).some((path) => /[\\/]node_modules[\\/]pingpp[\\/]/.test(path));

describe('loading pingpp', () => {
  it('waits until a provider is built: importing the adapter module does not load the SDK', async () => {
    const { createPingxxProvider } = await import('../../../src/pingxx/index.js');
    expect(pingppLoaded()).toBe(false);
    createPingxxProvider({ secretKey: 'sk_test_lazy', appId: 'app_lazy', unsafeSkipWebhookVerification: true });
    expect(pingppLoaded()).toBe(true);
  });
});
