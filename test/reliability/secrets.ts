/**
 * The secrets scan: every configured secret value (API keys, webhook secret, the merchant private key and
 * each line of its PEM body, the password inside `DATABASE_URL`) searched for in log lines, database rows,
 * caught errors (message, stack, `util.inspect`, `JSON.stringify`, `cause` included) and the
 * `util.inspect` / `JSON.stringify` of the objects a host holds (config, providers, factory, service).
 * @module
 */
import { inspect } from 'node:util';
import { sql, type Kysely } from 'kysely';
import type { UntypedDatabase } from '../../src/kysely/schema.js';

/** A secret value and what to call it in a report (never the value itself). */
export interface Needle {
  name: string;
  value: string;
}

/** A text to scan and where it came from. */
export interface Haystack {
  source: string;
  text: string;
}

/** The needles for a set of named secret values; a PEM key also yields each line of its body. */
export function needlesOf(secrets: Record<string, string>): Needle[] {
  const needles: Needle[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (value.includes('-----BEGIN')) {
      const lines = value.split(/\r?\n/).filter((l) => l.length >= 32 && !l.startsWith('-----'));
      for (const line of lines) needles.push({ name: `${name} (a line of its PEM body)`, value: line });
      // Serialised with escaped newlines (JSON) the lines still appear whole; nothing more to add.
    } else needles.push({ name, value });
  }
  return needles;
}

/** Every way a host might print an object. */
export function renderings(source: string, value: unknown): Haystack[] {
  const out: Haystack[] = [
    { source: `${source} util.inspect`, text: inspect(value) },
    { source: `${source} util.inspect depth 8`, text: inspect(value, { depth: 8, showHidden: false }) },
  ];
  try {
    out.push({ source: `${source} JSON.stringify`, text: JSON.stringify(value) ?? '' });
  } catch {
    // Not serialisable (cycles): nothing printed, nothing leaked.
  }
  if (value instanceof Error) {
    out.push(
      { source: `${source} message`, text: value.message },
      { source: `${source} stack`, text: value.stack ?? '' },
    );
    let cause: unknown = value.cause;
    for (let depth = 0; cause !== undefined && depth < 5; depth += 1) {
      out.push(...renderings(`${source} cause`, cause).slice(0, 3));
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  return out;
}

/** Every row of every table in the database, as JSON text per table. */
export async function dumpRows(db: Kysely<UntypedDatabase>, dialect: string): Promise<Haystack[]> {
  // PostgreSQL introspection lists every schema's tables; keep this run's (the search_path's) only.
  const schema =
    dialect === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined;
  const tables = (await db.introspection.getTables())
    .filter((t) => schema === undefined || t.schema === schema)
    .map((t) => t.name);
  const out: Haystack[] = [];
  for (const table of tables) {
    const { rows } = await sql`select * from ${sql.table(table)}`.execute(db);
    out.push({ source: `${dialect} rows of ${table}`, text: JSON.stringify(rows) });
  }
  return out;
}

/** The leaks: which needle was found in which source. */
export function scan(haystacks: readonly Haystack[], needles: readonly Needle[]): string[] {
  const leaks = new Set<string>();
  for (const h of haystacks) {
    for (const n of needles) {
      if (n.value && h.text.includes(n.value)) leaks.add(`${n.name} in ${h.source}`);
    }
  }
  return [...leaks];
}
