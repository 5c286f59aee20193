/**
 * Column kinds → SQL types per dialect.
 * @module
 */
import type { ColumnDefinitionBuilder, Expression } from 'kysely';
import { sql } from '../kysely-module.js';
import type { SqlDialect } from '../sql-dialect.js';
import type { ColumnKind, ColumnSpec } from './table-specs.js';

/**
 * The SQL type of a column kind.
 * - Prices are DECIMAL(19,4): wide enough for every ISO 4217 exponent (CLF has 4), where the original
 *   DECIMAL(10,2) could not hold a BHD or CLF amount exactly.
 * - Timestamps: `timestamptz` on PostgreSQL, `DATETIME(3)` on MySQL (milliseconds, like a JS `Date`),
 *   ISO-8601 text on SQLite (sorts chronologically as text).
 * - Raw provider objects can exceed MySQL's 64 KB `TEXT`, hence `MEDIUMTEXT` there.
 */
export function sqlType(dialect: SqlDialect, kind: ColumnKind): Expression<unknown> {
  switch (kind) {
    case 'id':
      return sql.raw(dialect === 'sqlite' ? 'integer' : dialect === 'postgres' ? 'bigserial' : 'bigint');
    case 'bid':
    case 'short':
      return sql.raw('varchar(64)');
    case 'string':
      return sql.raw('varchar(255)');
    case 'currency':
      return sql.raw('varchar(3)');
    case 'decimal':
      return sql.raw('decimal(19,4)');
    case 'bigint':
      return sql.raw(dialect === 'sqlite' ? 'integer' : 'bigint');
    case 'smallint':
      return sql.raw(dialect === 'sqlite' ? 'integer' : 'smallint');
    case 'text':
      return sql.raw('text');
    case 'longtext':
      return sql.raw(dialect === 'mysql' ? 'mediumtext' : 'text');
    case 'timestamp':
      return sql.raw(dialect === 'postgres' ? 'timestamptz' : dialect === 'mysql' ? 'datetime(3)' : 'text');
  }
}

/** Applies NOT NULL, DEFAULT and the primary key to a column being created or added. */
export function columnModifiers(
  dialect: SqlDialect,
  spec: ColumnSpec,
  adding: boolean,
): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return (c) => {
    if (spec.kind === 'id') {
      // bigserial carries its own sequence on PostgreSQL.
      return dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement();
    }
    let out = c;
    // A column added to a table that already has rows cannot be NOT NULL without a default.
    if (spec.notNull && (!adding || spec.default !== undefined)) out = out.notNull();
    // MySQL refuses defaults on TEXT columns; none of ours has one.
    if (spec.default !== undefined) out = out.defaultTo(spec.default);
    return out;
  };
}
