/**
 * Just enough catalog reading to adopt existing tables: their columns (nullability, type, default) and
 * index names, in the current schema / database only (other schemas may hold same-named tables).
 * @module
 */
import type { Kysely } from 'kysely';
import { sql } from '../kysely-module.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { UntypedDatabase } from '../schema.js';

/** One existing column. */
export interface ExistingColumn {
  name: string;
  notNull: boolean;
  hasDefault: boolean;
  primaryKey: boolean;
  /** Full SQL type as the catalog spells it (`decimal(10,2)`, `varchar(36)`, `numeric`). */
  type: string;
  /** DECIMAL precision and scale, when the catalog knows them. */
  precision: number | null;
  scale: number | null;
  /** MySQL column comment, kept when a column is redefined. */
  comment: string | null;
  /** SQLite only: the default as SQL text, kept when the table is rebuilt. */
  defaultSql: string | null;
}

/** The table's columns, or `null` when it does not exist. */
export async function describeTable(
  db: Kysely<UntypedDatabase>,
  dialect: SqlDialect,
  table: string,
): Promise<ExistingColumn[] | null> {
  let columns: ExistingColumn[];
  if (dialect === 'sqlite') {
    const { rows } = await sql<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>`
      select name, type, "notnull", dflt_value, pk from pragma_table_info(${table})`.execute(db);
    columns = rows.map((r) => ({
      name: r.name,
      notNull: Number(r.notnull) === 1,
      hasDefault: r.dflt_value !== null,
      primaryKey: Number(r.pk) > 0,
      type: r.type,
      precision: null,
      scale: null,
      comment: null,
      defaultSql: r.dflt_value,
    }));
  } else if (dialect === 'postgres') {
    const { rows } = await sql<Record<string, unknown>>`
      select c.column_name as name, c.is_nullable as nullable, c.column_default as dflt, c.data_type as type,
             c.numeric_precision as precision, c.numeric_scale as scale,
             exists (select 1 from information_schema.table_constraints tc
                     join information_schema.key_column_usage k on k.constraint_name = tc.constraint_name
                       and k.table_schema = tc.table_schema and k.table_name = tc.table_name
                     where tc.constraint_type = 'PRIMARY KEY' and tc.table_schema = c.table_schema
                       and tc.table_name = c.table_name and k.column_name = c.column_name) as pk
      from information_schema.columns c
      where c.table_schema = current_schema() and c.table_name = ${table}
      order by c.ordinal_position`.execute(db);
    columns = rows.map((r) => ({
      name: String(r['name']),
      notNull: r['nullable'] === 'NO',
      hasDefault: r['dflt'] !== null,
      primaryKey: Boolean(r['pk']),
      type: String(r['type']),
      precision: r['precision'] === null ? null : Number(r['precision']),
      scale: r['scale'] === null ? null : Number(r['scale']),
      comment: null,
      defaultSql: null,
    }));
  } else {
    const { rows } = await sql<Record<string, unknown>>`
      select column_name as name, is_nullable as nullable, column_default as dflt, column_type as type,
             numeric_precision as \`precision\`, numeric_scale as scale, column_key as \`key\`, column_comment as comment
      from information_schema.columns
      where table_schema = database() and table_name = ${table}
      order by ordinal_position`.execute(db);
    columns = rows.map((r) => ({
      name: String(r['name']),
      notNull: r['nullable'] === 'NO',
      // MariaDB reports "no default" as the string 'NULL' for nullable columns and NULL otherwise.
      hasDefault: r['dflt'] !== null && !(r['dflt'] === 'NULL' && r['nullable'] === 'YES'),
      primaryKey: r['key'] === 'PRI',
      type: String(r['type']),
      precision: r['precision'] === null ? null : Number(r['precision']),
      scale: r['scale'] === null ? null : Number(r['scale']),
      comment: typeof r['comment'] === 'string' && r['comment'] !== '' ? r['comment'] : null,
      defaultSql: null,
    }));
  }
  return columns.length === 0 ? null : columns;
}

/** Whether an index of that name exists on the table. */
export async function indexExists(
  db: Kysely<UntypedDatabase>,
  dialect: SqlDialect,
  table: string,
  index: string,
): Promise<boolean> {
  const query =
    dialect === 'sqlite'
      ? sql`select 1 from sqlite_master where type = 'index' and name = ${index}`
      : dialect === 'postgres'
        ? sql`select 1 from pg_indexes where schemaname = current_schema() and indexname = ${index}`
        : sql`select 1 from information_schema.statistics where table_schema = database() and table_name = ${table} and index_name = ${index}`;
  const { rows } = await query.execute(db);
  return rows.length > 0;
}
