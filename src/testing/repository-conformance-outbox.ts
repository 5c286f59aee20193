/**
 * Conformance cases for `OutboxRepository`: one row per key, writes that commit or roll back with the
 * change, claims that never overlap, leases that come back, and guards on the claim token. Every write is
 * checked through the raw read path's `outboxRow`. Each case uses its own message type, so claims of one
 * case never see another's rows.
 * @module
 */
import assert from 'node:assert/strict';
import type { OutboxRepository } from '../persistence/outbox-port.js';
import type { PaymentRepositories } from '../persistence/ports.js';
import type { ConformanceContext, ConformanceSubject, RawOutboxRow, RawReadPath } from './repository-conformance.js';
import { assertJsonText, count, parallel } from './repository-conformance-helpers.js';

interface OutboxSubject {
  repositories: PaymentRepositories<unknown>;
  outbox: OutboxRepository;
  row: (key: string) => Promise<RawOutboxRow | null>;
  raw: RawReadPath;
}

async function outboxSubject(ctx: ConformanceContext): Promise<OutboxSubject> {
  const subject: ConformanceSubject = await ctx.subject();
  const { repositories, raw } = subject;
  assert.ok(repositories.outbox, 'the repositories have no outbox');
  assert.ok(typeof raw.outboxRow === 'function', 'the raw read path needs outboxRow(key) to check the outbox');
  return {
    repositories,
    outbox: repositories.outbox,
    row: (key) => raw.outboxRow?.(key) ?? Promise.resolve(null),
    raw,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const past = (): Date => new Date(Date.now() - 60_000);

/** Registers the outbox cases. */
export function outboxCases(ctx: ConformanceContext): void {
  const { it } = ctx;
  const owner = (): string => ctx.id('worker');

  it('writes a notification once; a second write of its key is a duplicate that changes nothing', async () => {
    const { outbox, row } = await outboxSubject(ctx);
    const key = ctx.id('order.paid');
    const type = ctx.id('type');
    const payload = { orderId: 'o-1', amount: 1999, currency: 'USD', nested: { ok: true } };
    assert.equal(await outbox.insert({ key, type, payload, orderId: 'o-1' }), 'inserted');
    assert.equal(await outbox.insert({ key, type: 'other', payload: { replay: true } }), 'duplicate');
    const stored = await row(key);
    assert.deepEqual([stored?.type, stored?.status, stored?.attempts, stored?.orderId], [type, 'pending', 0, 'o-1']);
    assertJsonText(stored?.payloadJson ?? null, payload);
    const read = await outbox.find(key);
    assert.deepEqual([read?.status, read?.attempts, read?.claimToken, read?.deliveredTo], ['pending', 0, null, []]);
    assert.deepEqual(read?.payload, payload);
  });

  it(`gives exactly one of ${ctx.concurrency} concurrent writes of one key 'inserted'`, async () => {
    const { outbox, raw } = await outboxSubject(ctx);
    const key = ctx.id('k');
    const results = await parallel(ctx.concurrency, (i) => outbox.insert({ key, type: 't', payload: { i } }));
    assert.equal(count(results, 'inserted'), 1);
    assert.equal(await raw.outboxCount?.(key), 1);
  });

  it('commits the row with the transaction, leaves nothing on rollback, and a duplicate aborts nothing', async () => {
    const { repositories, outbox, row } = await outboxSubject(ctx);
    const kept = ctx.id('kept');
    const lost = ctx.id('lost');
    await assert.rejects(
      repositories.transaction(async (tx) => {
        assert.equal(await tx.outbox?.insert({ key: lost, type: 't', payload: {} }), 'inserted');
        assert.notEqual(await tx.outbox?.find(lost), null, 'a write is visible inside its transaction');
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    assert.equal(await row(lost), null);
    assert.equal(await outbox.insert({ key: kept, type: 't', payload: { first: true } }), 'inserted');
    const later = ctx.id('later');
    await repositories.transaction(async (tx) => {
      assert.equal(await tx.outbox?.insert({ key: kept, type: 't', payload: {} }), 'duplicate');
      assert.equal(await tx.outbox?.insert({ key: later, type: 't', payload: {} }), 'inserted');
    });
    assert.notEqual(await row(later), null, 'the transaction committed after the duplicate');
  });

  it('claims due rows of the asked types or keys, oldest first, for a lease; not future rows, not held rows', async () => {
    const { outbox, row } = await outboxSubject(ctx);
    const type = ctx.id('type');
    const base = past().getTime();
    const keys = [ctx.id('c'), ctx.id('c'), ctx.id('c')];
    await outbox.insert({ key: keys[2] as string, type, payload: {}, availableAt: new Date(base + 2) });
    await outbox.insert({ key: keys[0] as string, type, payload: {}, availableAt: new Date(base) });
    await outbox.insert({ key: keys[1] as string, type, payload: {}, availableAt: new Date(base + 1000) });
    const future = ctx.id('future');
    await outbox.insert({ key: future, type, payload: {}, availableAt: new Date(Date.now() + 3_600_000) });
    await outbox.insert({ key: ctx.id('other'), type: ctx.id('type'), payload: {} });

    const first = await outbox.claim({ owner: owner(), limit: 2, leaseMs: 60_000, types: [type] });
    assert.deepEqual(
      first.map((r) => r.key),
      [keys[0], keys[2]],
    );
    for (const r of first) {
      assert.equal(r.attempts, 1);
      assert.ok(r.claimToken, 'a claim token');
      assert.ok(r.leaseUntil && r.leaseUntil.getTime() > Date.now(), 'a lease in the future');
      const stored = await row(r.key);
      assert.equal(stored?.attempts, 1);
      assert.equal(stored?.claimToken, r.claimToken);
    }
    const second = await outbox.claim({
      owner: owner(),
      limit: 10,
      leaseMs: 60_000,
      keys: [keys[1] as string, future],
    });
    assert.deepEqual(
      second.map((r) => r.key),
      [keys[1]],
    );
    assert.deepEqual(await outbox.claim({ owner: owner(), limit: 10, leaseMs: 60_000, types: [type] }), []);
  });

  it(`hands each of 60 rows to exactly one of ${ctx.concurrency} concurrent claims`, async () => {
    const { outbox } = await outboxSubject(ctx);
    const type = ctx.id('type');
    const keys = Array.from({ length: 60 }, () => ctx.id('row'));
    for (const key of keys) await outbox.insert({ key, type, payload: {}, availableAt: past() });
    const claimed: string[] = [];
    // Each caller claims until nothing is left, so the claims race for the whole batch.
    await parallel(ctx.concurrency, async (i) => {
      for (;;) {
        const batch = await outbox.claim({ owner: `w${i}-${ctx.id('o')}`, limit: 3, leaseMs: 60_000, types: [type] });
        if (batch.length === 0) return;
        claimed.push(...batch.map((r) => r.key));
      }
    });
    assert.equal(claimed.length, keys.length, 'no row claimed twice');
    assert.deepEqual([...claimed].sort(), [...keys].sort(), 'every row claimed');
  });

  it('gives a row back when its lease ends; the old claim can then neither complete nor release it', async () => {
    const { outbox, row } = await outboxSubject(ctx);
    const type = ctx.id('type');
    const key = ctx.id('lease');
    await outbox.insert({ key, type, payload: {}, availableAt: past() });
    const [dead] = await outbox.claim({ owner: owner(), limit: 1, leaseMs: 1, types: [type] });
    assert.ok(dead);
    await sleep(25); // let the 1 ms lease run out (no timing is asserted)
    const [again] = await outbox.claim({ owner: owner(), limit: 1, leaseMs: 60_000, types: [type] });
    assert.equal(again?.key, key);
    assert.equal(again?.attempts, 2);
    assert.notEqual(again?.claimToken, dead.claimToken);
    assert.equal(await outbox.complete({ key, claimToken: dead.claimToken as string, deliveredTo: ['a'] }), false);
    assert.equal(
      await outbox.release({
        key,
        claimToken: dead.claimToken as string,
        status: 'dead',
        availableAt: new Date(),
        deliveredTo: [],
        lastError: 'stale',
      }),
      false,
    );
    assert.equal((await row(key))?.status, 'pending');
    assert.equal(
      await outbox.complete({ key, claimToken: again?.claimToken as string, deliveredTo: ['b', 'a'] }),
      true,
    );
    const stored = await row(key);
    assert.equal(stored?.status, 'delivered');
    assert.deepEqual(stored?.deliveredTo, ['a', 'b']);
    assert.equal(await outbox.complete({ key, claimToken: again?.claimToken as string, deliveredTo: [] }), false);
  });

  it('releases a row for later with its progress, marks it dead, counts it, and retries it', async () => {
    const { outbox, row } = await outboxSubject(ctx);
    const type = ctx.id('type');
    const key = ctx.id('retry');
    const orderId = ctx.id('order');
    await outbox.insert({ key, type, payload: {}, availableAt: past(), orderId });
    const before = await outbox.stats();
    const [claim] = await outbox.claim({ owner: owner(), limit: 1, leaseMs: 60_000, types: [type] });
    assert.ok(claim?.claimToken);
    const later = new Date(Date.now() + 3_600_000);
    assert.equal(
      await outbox.release({
        key,
        claimToken: claim.claimToken,
        status: 'pending',
        availableAt: later,
        deliveredTo: ['feishu'],
        lastError: 'crm: PaymentError TIMEOUT',
      }),
      true,
    );
    const released = await row(key);
    assert.equal(released?.status, 'pending');
    assert.deepEqual(released?.deliveredTo, ['feishu']);
    assert.equal(released?.availableAt?.getTime(), later.getTime());
    assert.equal((await outbox.find(key))?.lastError, 'crm: PaymentError TIMEOUT');
    assert.deepEqual(await outbox.claim({ owner: owner(), limit: 1, leaseMs: 60_000, types: [type] }), []);
    assert.equal(await outbox.retry(key), false, 'only dead rows are retried');

    // Due again (as if the hour passed): the operator's path from dead back to pending.
    await outbox.insert({ key: ctx.id('unrelated'), type, payload: {}, availableAt: later });
    const dying = ctx.id('dying');
    await outbox.insert({ key: dying, type, payload: {}, availableAt: past(), orderId });
    const [c2] = await outbox.claim({ owner: owner(), limit: 1, leaseMs: 60_000, types: [type] });
    assert.equal(c2?.key, dying);
    assert.equal(
      await outbox.release({
        key: dying,
        claimToken: c2.claimToken as string,
        status: 'dead',
        availableAt: new Date(),
        deliveredTo: [],
        lastError: 'x'.repeat(400),
      }),
      true,
    );
    assert.equal((await row(dying))?.status, 'dead');
    assert.ok(((await outbox.find(dying))?.lastError?.length ?? 0) <= 255, 'a long error is cut');
    const after = await outbox.stats();
    assert.equal(after.dead - before.dead, 1);
    assert.deepEqual(
      (await outbox.list({ status: 'dead', orderId, limit: 10 })).map((r) => r.key),
      [dying],
    );
    // Oldest createdAt first, ties by key: both rows may carry the same millisecond.
    const both = await outbox.list({ orderId, limit: 10 });
    const byRule = [...both].sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
    assert.deepEqual(
      both.map((r) => r.key),
      byRule.map((r) => r.key),
    );
    assert.deepEqual(both.map((r) => r.key).sort(), [dying, key].sort());
    assert.equal(await outbox.retry(dying), true);
    const retried = await row(dying);
    assert.deepEqual([retried?.status, retried?.attempts], ['pending', 0]);
    const [c3] = await outbox.claim({ owner: owner(), limit: 1, leaseMs: 60_000, types: [type] });
    assert.equal(c3?.key, dying);
  });

  it('leaves sweep claims (payment.sweep) out of stats and list, free or held; find still reads them', async () => {
    const { outbox, row } = await outboxSubject(ctx);
    const orderId = ctx.id('order');
    const before = await outbox.stats();
    const free = ctx.id('sweep:reconcile');
    const held = ctx.id('sweep:expire');
    // Due long ago: counted, they would also become the oldest pending row.
    for (const key of [free, held]) {
      assert.equal(
        await outbox.insert({ key, type: 'payment.sweep', payload: {}, orderId, availableAt: ctx.epoch() }),
        'inserted',
      );
    }
    const [claim] = await outbox.claim({
      owner: owner(),
      limit: 1,
      leaseMs: 60_000,
      types: ['payment.sweep'],
      keys: [held],
    });
    assert.equal(claim?.key, held);
    const after = await outbox.stats();
    assert.deepEqual(
      [after.pending, after.delivered, after.dead, after.oldestPendingAt?.getTime() ?? null],
      [before.pending, before.delivered, before.dead, before.oldestPendingAt?.getTime() ?? null],
    );
    assert.deepEqual(await outbox.list({ orderId, limit: 10 }), []);
    assert.deepEqual(await outbox.list({ status: 'pending', orderId, limit: 10 }), []);
    assert.equal((await outbox.find(free))?.type, 'payment.sweep');
    assert.equal((await row(held))?.status, 'pending');
    // A notification of the same order is listed and counted as usual.
    const note = ctx.id('order.paid');
    await outbox.insert({ key: note, type: ctx.id('type'), payload: {}, orderId });
    assert.deepEqual(
      (await outbox.list({ orderId, limit: 10 })).map((r) => r.key),
      [note],
    );
    assert.equal((await outbox.stats()).pending, before.pending + 1);
  });

  it('prunes delivered rows past the cutoff and finished sweep claims, in batches of limit; never pending, dead or held rows', async () => {
    const { outbox, row } = await outboxSubject(ctx);
    const type = ctx.id('type');
    const delivered = Array.from({ length: 5 }, () => ctx.id('delivered'));
    for (const key of delivered) await outbox.insert({ key, type, payload: {}, availableAt: past() });
    const claims = await outbox.claim({ owner: owner(), limit: 5, leaseMs: 60_000, types: [type] });
    assert.equal(claims.length, 5);
    for (const c of claims) {
      assert.equal(await outbox.complete({ key: c.key, claimToken: c.claimToken as string, deliveredTo: ['a'] }), true);
    }
    const pending = ctx.id('pending');
    await outbox.insert({ key: pending, type, payload: {}, availableAt: past() });
    const dead = ctx.id('dead');
    await outbox.insert({ key: dead, type: ctx.id('dead-type'), payload: {}, availableAt: past() });
    const [d] = await outbox.claim({ owner: owner(), limit: 1, leaseMs: 60_000, keys: [dead] });
    assert.ok(d?.claimToken);
    await outbox.release({
      key: dead,
      claimToken: d.claimToken,
      status: 'dead',
      availableAt: past(),
      deliveredTo: [],
      lastError: 'x',
    });
    const sweepFree = ctx.id('sweep:free');
    const sweepHeld = ctx.id('sweep:held');
    const sweepHolding = ctx.id('sweep:holding');
    await outbox.insert({ key: sweepFree, type: 'payment.sweep', payload: {}, availableAt: past() });
    await outbox.insert({ key: sweepHeld, type: 'payment.sweep', payload: {}, availableAt: past() });
    await outbox.insert({
      key: sweepHolding,
      type: 'payment.sweep',
      payload: {},
      availableAt: new Date(Date.now() + 3_600_000),
    });
    const [h] = await outbox.claim({
      owner: owner(),
      limit: 1,
      leaseMs: 60_000,
      types: ['payment.sweep'],
      keys: [sweepHeld],
    });
    assert.equal(h?.key, sweepHeld);

    // Cutoffs before these rows were finished: nothing of this case goes.
    const hourAgo = new Date(Date.now() - 3_600_000);
    while ((await outbox.prune({ deliveredBefore: hourAgo, sweepsBefore: hourAgo, limit: 1000 })) > 0);
    for (const key of [...delivered, sweepFree]) assert.ok(await row(key), `${key} is kept before its cutoff`);

    // Cutoffs after them: batches of at most `limit`, until a short one.
    const soon = new Date(Date.now() + 1000);
    const batches: number[] = [];
    for (let i = 0; i < 1000; i += 1) {
      const n = await outbox.prune({ deliveredBefore: soon, sweepsBefore: soon, limit: 2 });
      batches.push(n);
      if (n < 2) break;
    }
    assert.equal(batches[0], 2, 'a full first batch (at least 6 rows qualify)');
    assert.ok(
      batches.every((n) => n <= 2),
      `no batch above the limit: ${batches.join(',')}`,
    );
    for (const key of [...delivered, sweepFree]) assert.equal(await row(key), null, `${key} is pruned`);
    assert.equal((await row(pending))?.status, 'pending', 'a pending notification stays');
    assert.equal((await row(dead))?.status, 'dead', 'a dead row stays for an operator');
    assert.ok(await row(sweepHeld), 'a sweep claim a live lease holds stays');
    assert.ok(await row(sweepHolding), 'a sweep claim whose hold has not ended stays');
    await assert.rejects(outbox.prune({ deliveredBefore: soon, sweepsBefore: soon, limit: 0 }));
    await assert.rejects(outbox.prune({ deliveredBefore: new Date(Number.NaN), sweepsBefore: soon, limit: 1 }));
  });

  it('refuses an empty key or type and a bad claim', async () => {
    const { outbox } = await outboxSubject(ctx);
    await assert.rejects(outbox.insert({ key: '', type: 't', payload: {} }));
    await assert.rejects(outbox.insert({ key: ctx.id('k'), type: '', payload: {} }));
    await assert.rejects(outbox.claim({ owner: 'w', limit: 0, leaseMs: 1000 }));
    await assert.rejects(outbox.claim({ owner: 'w', limit: 1, leaseMs: 0 }));
  });
}
