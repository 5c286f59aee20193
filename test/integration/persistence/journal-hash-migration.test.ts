/**
 * Migration 0003 on every database of the matrix: a journal migrated by an earlier version (0001 + 0002,
 * no `payload_hash`) gains the column; the rows it already holds keep `NULL` and are never compared, so a
 * redelivery of an event journalled before the upgrade stays a plain duplicate; new rows are compared.
 */
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createKyselyRepositories, createPaymentMigrations, migrateToLatest } from '../../../src/kysely/index.js';
import { loadKyselyMigrator } from '../../../src/kysely/load-kysely-migrator.js';
import { describeTable } from '../../../src/kysely/migrations/schema-inspection.js';
import type { UntypedDatabase } from '../../../src/kysely/schema.js';
import { testDialects, useTestDatabase } from '../../helpers/databases.js';

/** Runs 0001 and 0002 only, then drops `payload_hash`: the journal as an earlier version left it. */
async function migrateTo0002(db: Kysely<UntypedDatabase>, dialect: string): Promise<void> {
  const all = createPaymentMigrations();
  const schema =
    dialect === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined;
  const only = Object.fromEntries(
    Object.entries(all).filter(
      ([name]) => name.endsWith('0001-payment-tables') || name.endsWith('0002-original-meanings'),
    ),
  );
  const Migrator = await loadKyselyMigrator();
  const { error } = await new Migrator({
    db,
    provider: { getMigrations: async () => only },
    migrationTableName: 'payment_factory_migration',
    migrationLockTableName: 'payment_factory_migration_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
  await db.schema.alterTable('order_payment_events').dropColumn('payload_hash').execute();
}

for (const dialect of testDialects()) {
  describe(`migration 0003 (journal payload hash) on ${dialect.name}`, () => {
    const database = useTestDatabase(dialect);

    it('adds payload_hash to an earlier journal; old rows are never compared, new ones are', async () => {
      const { db } = database();
      await migrateTo0002(db, dialect.name);
      const columns = async () => (await describeTable(db, dialect.name, 'order_payment_events'))!.map((c) => c.name);
      expect(await columns()).not.toContain('payload_hash');
      await db
        .insertInto('order_payment_events')
        .values({
          provider: 'stripe',
          event_id: 'evt_before_0003',
          type: 'payment.succeeded',
          provider_event_type: 'payment_intent.succeeded',
          outcome: 'applied',
          payload: JSON.stringify({ id: 'evt_before_0003' }),
          received_at: dialect.name === 'sqlite' ? '2026-11-20T10:00:00.000Z' : new Date('2026-11-20T10:00:00Z'),
        })
        .execute();

      const { results = [] } = await migrateToLatest(db);
      const applied = results.map((r) => `${r.status} ${r.migrationName}`);
      expect(applied[0]).toBe('Success payment-factory-0003-journal-payload-hash');
      expect(applied.every((r) => r.startsWith('Success '))).toBe(true);
      expect(await columns()).toContain('payload_hash');
      // Idempotent: the migration's step runs again without error on the migrated table.
      await createPaymentMigrations()['payment-factory-0003-journal-payload-hash']!.up(db);

      const repositories = createKyselyRepositories(db);
      const old = await repositories.events.find('stripe', 'evt_before_0003');
      expect(old?.payloadHash).toBeNull();
      const redelivery = {
        provider: 'stripe',
        eventId: 'evt_before_0003',
        type: 'payment.succeeded',
        providerEventType: 'payment_intent.succeeded',
        payloadHash: 'sha256:new',
      };
      expect(await repositories.events.insert(redelivery)).toBe('duplicate');
      expect(await repositories.events.insert({ ...redelivery, eventId: 'evt_after_0003' })).toBe('inserted');
      expect(
        await repositories.events.insert({ ...redelivery, eventId: 'evt_after_0003', payloadHash: 'sha256:x' }),
      ).toBe('conflict');
    });
  });
}
