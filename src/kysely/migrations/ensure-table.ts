/**
 * Brings one table to the shape its {@link TableSpec} describes, whether it is missing (create it) or an
 * original-system table (adopt it: keep every row and column, add what is missing). Every step checks
 * before it acts, so a run interrupted half-way (MySQL has no transactional DDL) simply runs again.
 * @module
 */
import type { Kysely } from 'kysely';
import { sql } from '../kysely-module.js';
import { ConfigurationError } from '../../core/errors.js';
import type { SqlDialect } from '../sql-dialect.js';
import { ATTEMPT_STATUS_CODES } from '../status-codes.js';
import { describeTable, indexExists, listIndexes, servingIndex, type ExistingColumn } from './schema-inspection.js';
import { columnModifiers, sqlType } from './sql-types.js';
import { indexName, type TableSpec } from './table-specs.js';
import type { UntypedDatabase } from '../schema.js';

/** Creates or adopts `spec`'s table, then its indexes. */
export async function ensureTable(db: Kysely<UntypedDatabase>, dialect: SqlDialect, spec: TableSpec): Promise<void> {
  const existing = await describeTable(db, dialect, spec.name);
  if (existing === null) {
    let create = db.schema.createTable(spec.name);
    for (const column of spec.columns) {
      create = create.addColumn(column.name, sqlType(dialect, column.kind), columnModifiers(dialect, column, false));
    }
    await create.execute();
  } else {
    await adoptTable(db, dialect, spec, existing);
  }
  await ensureIndexes(db, dialect, spec);
}

/**
 * Adopts an existing table:
 * 1. relaxes NOT NULL on columns we may leave empty (the original tables made every column NOT NULL, with
 *    Python-side defaults the database never saw), keeping it on the columns we always write;
 * 2. clears the placeholder status timestamps of the original attempt tables (`paid_at` etc. defaulted
 *    to the creation time whatever the status) so `paidAt` means "was paid at";
 * 3. adds missing columns (nullable, or with their default);
 * 4. widens DECIMAL prices to DECIMAL(19,4), so every currency's minor unit fits exactly, and (MySQL)
 *    DATETIME to DATETIME(3).
 */
async function adoptTable(
  db: Kysely<UntypedDatabase>,
  dialect: SqlDialect,
  spec: TableSpec,
  existing: ExistingColumn[],
): Promise<void> {
  const keepNotNull = new Set(spec.columns.filter((c) => c.notNull).map((c) => c.name));
  const known = new Map(spec.columns.map((c) => [c.name, c]));
  const relax = existing.filter(
    (c) => c.notNull && !c.primaryKey && !keepNotNull.has(c.name) && (known.has(c.name) || !c.hasDefault),
  );

  if (relax.length > 0) {
    if (dialect === 'sqlite') await rebuildSqliteTable(db, spec.name, existing, new Set(relax.map((c) => c.name)));
    for (const column of dialect === 'sqlite' ? [] : relax) {
      if (dialect === 'postgres') {
        await sql`alter table ${sql.table(spec.name)} alter column ${sql.ref(column.name)} drop not null`.execute(db);
      } else {
        const comment = column.comment === null ? sql`` : sql` comment ${sql.lit(column.comment)}`;
        await sql`alter table ${sql.table(spec.name)} modify column ${sql.ref(column.name)} ${sql.raw(column.type)} null${comment}`.execute(
          db,
        );
      }
    }
    await clearPlaceholderTimestamps(db, spec.name, new Set(relax.map((c) => c.name)));
  }

  const present = new Set(existing.map((c) => c.name));
  for (const column of spec.columns) {
    if (present.has(column.name)) continue;
    await db.schema
      .alterTable(spec.name)
      .addColumn(column.name, sqlType(dialect, column.kind), columnModifiers(dialect, column, true))
      .execute();
  }

  // MySQL DATETIME without a fraction would round our millisecond timestamps (and reorder same-second rows).
  if (dialect === 'mysql') {
    const relaxed = new Set(relax.map((c) => c.name));
    for (const column of existing) {
      if (known.get(column.name)?.kind !== 'timestamp' || column.type.toLowerCase() !== 'datetime') continue;
      const nullability = column.notNull && !relaxed.has(column.name) ? sql`not null` : sql`null`;
      await sql`alter table ${sql.table(spec.name)} modify column ${sql.ref(column.name)} datetime(3) ${nullability}`.execute(
        db,
      );
    }
  }

  for (const column of existing) {
    if (known.get(column.name)?.kind !== 'decimal' || dialect === 'sqlite') continue;
    if ((column.precision ?? 0) >= 19 && (column.scale ?? 0) >= 4) continue;
    if (dialect === 'postgres') {
      await sql`alter table ${sql.table(spec.name)} alter column ${sql.ref(column.name)} type decimal(19,4)`.execute(
        db,
      );
    } else {
      await sql`alter table ${sql.table(spec.name)} modify column ${sql.ref(column.name)} decimal(19,4) not null default 0`.execute(
        db,
      );
    }
  }
}

const PLACEHOLDER_STAMPS: Record<string, number[]> = {
  paid_at: [ATTEMPT_STATUS_CODES.paid, ATTEMPT_STATUS_CODES.refunded],
  refunded_at: [ATTEMPT_STATUS_CODES.refunded],
  closed_at: [ATTEMPT_STATUS_CODES.closed],
  failed_at: [ATTEMPT_STATUS_CODES.failed],
};

async function clearPlaceholderTimestamps(
  db: Kysely<UntypedDatabase>,
  table: string,
  relaxed: Set<string>,
): Promise<void> {
  for (const [column, reached] of Object.entries(PLACEHOLDER_STAMPS)) {
    if (!relaxed.has(column)) continue; // only columns that were NOT NULL held placeholders
    await db
      .updateTable(table)
      .set({ [column]: null })
      .where('status', 'not in', reached)
      .execute();
  }
}

/**
 * SQLite cannot drop NOT NULL in place: copy the table into one with the same columns (minus the
 * constraint on `relax`), swap it in, and recreate its indexes from their stored SQL.
 */
async function rebuildSqliteTable(
  db: Kysely<UntypedDatabase>,
  table: string,
  existing: ExistingColumn[],
  relax: Set<string>,
): Promise<void> {
  const { rows: indexes } = await sql<{ sql: string }>`
    select sql from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null`.execute(db);
  const temp = `${table}__pf_rebuild`;
  const pkColumns = existing.filter((c) => c.primaryKey);
  const definitions = existing.map((c) => {
    let definition = `"${c.name}" ${c.type}`;
    if (c.primaryKey && pkColumns.length === 1) {
      // An INTEGER PRIMARY KEY is SQLite's rowid alias: ids keep being generated for new rows.
      definition = /int/i.test(c.type) ? `"${c.name}" integer primary key autoincrement` : `${definition} primary key`;
    } else if (c.notNull && !relax.has(c.name)) {
      definition += ' not null';
    }
    if (c.defaultSql !== null) definition += ` default ${c.defaultSql}`;
    return definition;
  });
  const list = existing.map((c) => `"${c.name}"`).join(', ');
  await sql.raw(`create table "${temp}" (${definitions.join(', ')})`).execute(db);
  await sql.raw(`insert into "${temp}" (${list}) select ${list} from "${table}"`).execute(db);
  await sql.raw(`drop table "${table}"`).execute(db);
  await sql.raw(`alter table "${temp}" rename to "${table}"`).execute(db);
  for (const index of indexes) await sql.raw(index.sql).execute(db);
}

/**
 * Creates `spec`'s missing indexes; refuses (with the offending keys) to add a unique index over duplicate rows.
 * An index is not created when one of that name exists, or when an existing index already serves it (for a
 * plain index, any whose leading columns are its columns; for a unique one, a unique index on exactly them): an
 * adopted table keeps the original's indexes and gets no second copy of them.
 */
export async function ensureIndexes(db: Kysely<UntypedDatabase>, dialect: SqlDialect, spec: TableSpec): Promise<void> {
  for (const index of spec.indexes) {
    const name = indexName(spec.name, index.suffix);
    if (await indexExists(db, dialect, spec.name, name)) continue;
    if (servingIndex(await listIndexes(db, dialect, spec.name), index.columns, index.unique)) continue;
    if (index.unique) await assertNoDuplicates(db, spec.name, index.columns);
    let create = db.schema.createIndex(name).on(spec.name).columns(index.columns);
    if (index.unique) create = create.unique();
    // MySQL has no IF NOT EXISTS for indexes; the check above covers it there (migrations hold a lock).
    if (dialect !== 'mysql') create = create.ifNotExists();
    await create.execute();
  }
}

async function assertNoDuplicates(db: Kysely<UntypedDatabase>, table: string, columns: string[]): Promise<void> {
  let query = db
    .selectFrom(table)
    .select(columns)
    .select((eb) => eb.fn.countAll().as('n'))
    .groupBy(columns)
    .having((eb) => eb.fn.countAll(), '>', 1)
    .limit(5);
  for (const column of columns) query = query.where(column, 'is not', null);
  const duplicates = await query.execute();
  if (duplicates.length === 0) return;
  const keys = duplicates.map((row) => columns.map((c) => String(row[c])).join('/'));
  throw new ConfigurationError(
    `Cannot add a unique key on ${table}(${columns.join(', ')}): existing rows share a key. Resolve the duplicates, then migrate again.`,
    { code: 'MIGRATION_DUPLICATE_KEYS', details: { table, columns, keys } },
  );
}
