/**
 * The databases the benchmarks run on, each opened twice over the same storage: once through
 * `createKyselyFromUrl` (what the library recommends: durable SQLite, READ COMMITTED MySQL sessions) and once
 * as the raw driver (what the hand-written baseline uses), with the same pool size (10, both drivers' default). SQLite is a file in WAL mode with `synchronous=FULL` on both connections (the library's durable
 * default); PostgreSQL and MySQL run when `PF_BENCH_POSTGRES_URL` / `PF_BENCH_MYSQL_URL` (or the test
 * variables `PF_TEST_POSTGRES_URL` / `PF_TEST_MYSQL_URL`) are set, each in a schema / database of its own,
 * dropped afterwards.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { createPool, type Pool as MysqlPool } from 'mysql2/promise';
import pg from 'pg';
import { createKyselyFromUrl } from '../src/kysely/index.js';
import type { UntypedDatabase } from '../src/kysely/schema.js';

/** Pool size of both sides on the servers. */
export const POOL_SIZE = 10;

/** A bench database: the Kysely side and the raw side. */
export type BenchDatabase =
  | { dialect: 'sqlite'; db: Kysely<UntypedDatabase>; raw: Database.Database; close(): Promise<void> }
  | { dialect: 'postgres'; db: Kysely<UntypedDatabase>; raw: pg.Pool; close(): Promise<void> }
  | { dialect: 'mysql'; db: Kysely<UntypedDatabase>; raw: MysqlPool; close(): Promise<void> };

const suffix = (): string => `pf_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

/** An SQLite file, WAL + `synchronous=FULL` on both connections. */
export async function openSqlite(): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'pf-bench-'));
  const file = join(dir, 'bench.db');
  const db = await createKyselyFromUrl<UntypedDatabase>(file); // WAL, synchronous=FULL
  const raw = new Database(file, { timeout: 5000 });
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  return {
    dialect: 'sqlite',
    db,
    raw,
    close: async () => {
      await db.destroy();
      raw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh PostgreSQL schema. */
export async function openPostgres(url: string): Promise<BenchDatabase> {
  const schema = suffix();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  const target = new URL(url);
  target.searchParams.set('options', `-c search_path=${schema}`);
  const db = await createKyselyFromUrl<UntypedDatabase>(target.toString());
  const raw = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: POOL_SIZE });
  return {
    dialect: 'postgres',
    db,
    raw,
    close: async () => {
      await db.destroy();
      await raw.end();
      await admin.query(`drop schema "${schema}" cascade`);
      await admin.end();
    },
  };
}

/** A fresh MySQL / MariaDB database. */
export async function openMysql(url: string): Promise<BenchDatabase> {
  const name = suffix();
  const admin = createPool({ uri: url, connectionLimit: 1 });
  await admin.query(`create database \`${name}\` character set utf8mb4 collate utf8mb4_bin`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await createKyselyFromUrl<UntypedDatabase>(target.toString());
  const raw = createPool({ uri: target.toString(), timezone: 'Z', connectionLimit: POOL_SIZE });
  return {
    dialect: 'mysql',
    db,
    raw,
    close: async () => {
      await db.destroy();
      await raw.end();
      await admin.query(`drop database \`${name}\``);
      await admin.end();
    },
  };
}

/** The server URLs to bench against. */
export function serverUrls(env: NodeJS.ProcessEnv = process.env): { postgres?: string; mysql?: string } {
  const postgres = env['PF_BENCH_POSTGRES_URL'] ?? env['PF_TEST_POSTGRES_URL'];
  const mysql = env['PF_BENCH_MYSQL_URL'] ?? env['PF_TEST_MYSQL_URL'];
  return { ...(postgres ? { postgres } : {}), ...(mysql ? { mysql } : {}) };
}
