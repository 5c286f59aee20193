import { globalAgent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { PingppFactory } from '../../../src/pingxx/pingxx-sdk.js';
import { startPingxxEmulator, type PingxxEmulator } from '../../../src/testing/pingxx-testing.js';
import { requestMaker, useEmulatedPingxx } from './harness.js';

// Node ≥ 19 keeps sockets alive in http.globalAgent; pingpp 2.1.6 writes a request only on the socket's
// `connect` event, which a reused socket never emits (DESIGN §10). Every emulator here keeps
// connections alive, as Ping++'s servers do.

const pingxx = useEmulatedPingxx({ timeoutMs: 5_000 });
const nextRequest = requestMaker('ka', {
  amount: 100,
  currency: 'CNY',
  channel: 'alipay_qr',
  subject: 'keep-alive',
  clientIp: '203.0.113.7',
});

function pooledSockets(target: PingxxEmulator): number {
  return Object.entries(globalAgent.freeSockets)
    .filter(([name]) => name.startsWith(`${target.host}:${target.port}:`))
    .reduce((sum, [, sockets]) => sum + (sockets?.length ?? 0), 0);
}

describe('pingpp keep-alive hang', () => {
  it('is real: the unpatched SDK times out on its second call to a keep-alive server', async () => {
    const control = await startPingxxEmulator({ keepAlive: true, merchantPublicKey: null });
    try {
      const pingpp = (createRequire(import.meta.url)('pingpp') as PingppFactory)(control.secretKey);
      pingpp.setHost(control.host, control.port, 'http');
      pingpp.setTimeout(1_000);
      const first: unknown = await pingpp.charges.retrieve('ch_000000000000000000000000').catch((e: unknown) => e);
      expect(first).toMatchObject({ type: 'PingppInvalidRequest' }); // answered (404): the socket went back to the pool
      expect(pooledSockets(control)).toBe(1);
      const second: unknown = await pingpp.charges.retrieve('ch_000000000000000000000000').catch((e: unknown) => e);
      expect(second).toMatchObject({ type: 'PingppConnectionError' });
      expect((second as Error).message).toMatch(/timeout/);
      expect(control.requestCount).toBe(1); // the second request never left the client
    } finally {
      await control.close();
    }
  });
});

describe('the adapter on a keep-alive server', () => {
  it('completes 60 sequential calls', async () => {
    const before = pingxx.emulator.requestCount;
    for (let i = 0; i < 30; i += 1) {
      const created = await pingxx.provider.createPayment(nextRequest());
      const snapshot = await pingxx.provider.retrievePayment({ providerReference: created.providerReference });
      expect(snapshot.providerReference).toBe(created.providerReference);
    }
    expect(pingxx.emulator.requestCount - before).toBe(60);
    expect(
      pingxx.emulator.requests.slice(before).every((r) => r.headers.connection === 'close' && r.status === 200),
    ).toBe(true);
  });

  it('completes 25 parallel calls', async () => {
    const requests = Array.from({ length: 25 }, nextRequest);
    const results = await Promise.all(requests.map((r) => pingxx.provider.createPayment(r)));
    expect(new Set(results.map((r) => r.providerReference)).size).toBe(25);
    expect(results.map((r) => r.attemptId)).toEqual(requests.map((r) => r.attemptId));
  });

  it('completes 25 parallel calls twice in a row, mixing creates and reads', async () => {
    for (let round = 0; round < 2; round += 1) {
      const created = await Promise.all(Array.from({ length: 25 }, () => pingxx.provider.createPayment(nextRequest())));
      const read = await Promise.all(
        created.map((c) => pingxx.provider.retrievePayment({ providerReference: c.providerReference })),
      );
      expect(read.map((s) => s.status)).toEqual(created.map(() => 'requires_action'));
    }
  });

  it('leaves no socket in the shared pool', () => {
    expect(pooledSockets(pingxx.emulator)).toBe(0);
  });

  it('does not hang on a keep-alive socket another library left in the shared pool', async () => {
    // Some other code in the process talks to the same host through http.globalAgent…
    await new Promise<void>((resolve, reject) => {
      httpRequest(`${pingxx.emulator.url}/v1/health`, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    expect(pooledSockets(pingxx.emulator)).toBe(1);
    // …so the SDK is handed a connected socket, which never emits `connect`: the transport writes instead.
    const created = await pingxx.provider.createPayment(nextRequest());
    expect(created.status).toBe('requires_action');
    expect(pooledSockets(pingxx.emulator)).toBe(0);
  });
});
