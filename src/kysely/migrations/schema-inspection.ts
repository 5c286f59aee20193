/**
 * Just enough catalog reading to adopt existing tables: their columns (nullability, type, default) and
 * indexes (names, columns), in the current schema / database only (other schemas may hold same-named tables).
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

/** One existing index: its name and its key columns in order. */
export interface ExistingIndex {
  name: string;
  unique: boolean;
  /**
   * Key columns, in index order. An index that cannot serve a plain column lookup or ordering the way a full
   * B-tree over the columns does (partial, expression, MySQL prefix or non-B-tree) lists none.
   */
  columns: string[];
}

/** The table's indexes (the primary key excluded). */
export async function listIndexes(
  db: Kysely<UntypedDatabase>,
  dialect: SqlDialect,
  table: string,
): Promise<ExistingIndex[]> {
  const byName = new Map<string, ExistingIndex & { usable: boolean }>();
  const add = (name: string, unique: boolean, column: string | null, usable: boolean) => {
    const index = byName.get(name) ?? { name, unique, columns: [], usable: true };
    index.usable &&= usable && column !== null;
    if (column !== null) index.columns.push(column);
    byName.set(name, index);
  };
  if (dialect === 'sqlite') {
    const { rows } = await sql<{ name: string; uq: number; partial: number; origin: string; col: string | null }>`
      select l.name as name, l."unique" as uq, l.partial as partial, l.origin as origin, i.name as col
      from pragma_index_list(${table}) l join pragma_index_info(l.name) i
      order by l.name, i.seqno`.execute(db);
    for (const r of rows) if (r.origin !== 'pk') add(r.name, Number(r.uq) === 1, r.col, Number(r.partial) === 0);
  } else if (dialect === 'postgres') {
    const { rows } = await sql<{ name: string; uq: boolean; partial: boolean; am: string; col: string | null }>`
      select i.relname as name, x.indisunique as uq, x.indpred is not null as partial, am.amname as am,
             a.attname as col
      from pg_index x
      join pg_class t on t.oid = x.indrelid
      join pg_namespace n on n.oid = t.relnamespace
      join pg_class i on i.oid = x.indexrelid
      join pg_am am on am.oid = i.relam
      cross join lateral unnest(x.indkey::int2[]) with ordinality as k(attnum, ord)
      left join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum and k.attnum > 0
      where n.nspname = current_schema() and t.relname = ${table} and not x.indisprimary
        and k.ord <= x.indnkeyatts
      order by i.relname, k.ord`.execute(db);
    for (const r of rows) add(r.name, Boolean(r.uq), r.col, !r.partial && r.am === 'btree');
  } else {
    const { rows } = await sql<Record<string, unknown>>`
      select index_name as name, non_unique as nu, column_name as col, sub_part as sub, index_type as type
      from information_schema.statistics
      where table_schema = database() and table_name = ${table} and index_name <> 'PRIMARY'
      order by index_name, seq_in_index`.execute(db);
    for (const r of rows) {
      const column = typeof r['col'] === 'string' ? r['col'] : null;
      add(String(r['name']), Number(r['nu']) === 0, column, r['sub'] === null && r['type'] === 'BTREE');
    }
  }
  return [...byName.values()].map(({ usable, ...index }) => (usable ? index : { ...index, columns: [] }));
}

/**
 * The existing index that serves an index on `columns` (unique: an equally unique one on exactly those
 * columns; otherwise any whose leading key columns are `columns`, in order), or `undefined`.
 */
export function servingIndex(
  indexes: readonly ExistingIndex[],
  columns: readonly string[],
  unique: boolean,
): ExistingIndex | undefined {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  return indexes.find((index) => {
    if (unique && (!index.unique || index.columns.length !== columns.length)) return false;
    return index.columns.length >= columns.length && columns.every((c, i) => same(c, index.columns[i]!));
  });
}
