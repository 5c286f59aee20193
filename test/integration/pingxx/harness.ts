/**
 * Shared set-up of the Ping++ integration suites: one emulator (keeping connections alive, as Ping++'s
 * servers do) and one provider on it per file, and payment requests with fresh attempt ids.
 */
import { afterAll, beforeAll } from 'vitest';
import type { PaymentRequest } from '../../../src/core/types.js';
import { createPingxxProvider, type PingxxProvider, type PingxxProviderOptions } from '../../../src/pingxx/index.js';
import { startPingxxEmulator, type PingxxEmulator } from '../../../src/testing/pingxx-testing.js';

/** The file's emulator and the provider talking to it; readable once `beforeAll` has run. */
export interface EmulatedPingxx {
  readonly emulator: PingxxEmulator;
  readonly provider: PingxxProvider;
}

/** Starts an emulator before the file's tests and closes it after them. */
export function useEmulatedPingxx(options: Partial<PingxxProviderOptions> = {}): EmulatedPingxx {
  let started: EmulatedPingxx | undefined;
  beforeAll(async () => {
    const emulator = await startPingxxEmulator({ keepAlive: true });
    started = { emulator, provider: createPingxxProvider({ ...emulator.providerOptions, ...options }) };
  });
  afterAll(() => started?.emulator.close());
  const get = (): EmulatedPingxx => {
    if (!started) throw new Error('The Ping++ emulator is started in beforeAll.');
    return started;
  };
  return {
    get emulator() {
      return get().emulator;
    },
    get provider() {
      return get().provider;
    },
  };
}

/**
 * Returns a maker of payment requests: each has a new order id and a new 32-character attempt id that
 * starts with `prefix` (alphanumeric, so valid as `order_no` on every channel).
 */
export function requestMaker(
  prefix: string,
  defaults: Omit<PaymentRequest, 'orderId' | 'attemptId'>,
): (overrides?: Partial<PaymentRequest>) => PaymentRequest {
  let sequence = 0;
  return (overrides = {}) => {
    sequence += 1;
    return {
      orderId: `order${sequence}`,
      attemptId: `${prefix}${String(sequence).padStart(32 - prefix.length, '0')}`,
      ...defaults,
      ...overrides,
    };
  };
}
