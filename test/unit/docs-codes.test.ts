/**
 * Every UPPER_SNAKE name the docs show in code spans — error codes above all, but also configuration keys and
 * exported constants — exists in the sources, so a reader who searches for a code the docs promise finds
 * the code that throws it (docs/flows.md once promised `WEBHOOK_VERIFICATION_FAILED` bodies the adapters
 * never sent).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const walk = (dir: string): string[] =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'api' || name === 'node_modules') return []; // generated API reference
    return statSync(join(root, path)).isDirectory() ? walk(path) : [path];
  });
const read = (path: string) => readFileSync(join(root, path), 'utf8');

const SNAKE = '[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+';
/** A provider's own dotted code (Alipay's `ACQ.TRADE_NOT_EXIST`, `aop.ACQ.SYSTEM_ERROR`): checked whole. */
const DOTTED = `(?:[A-Za-z]+\\.)+${SNAKE}`;

/** Names that are defined in code: string literals, object keys, constants, environment reads. Comments do not count. */
function definedNames(): Set<string> {
  const code = [...walk('src'), ...walk('bench'), ...walk('test/reliability'), 'test/helpers/databases.ts']
    .filter((p) => p.endsWith('.ts'))
    .map(read)
    .join('\n');
  const names = new Set<string>();
  for (const pattern of [
    `['"](${SNAKE})['"]`,
    `^\\s*(${SNAKE}):`,
    `\\bconst (${SNAKE})\\b`,
    `\\.env\\.(${SNAKE})\\b`,
    `['"](${DOTTED})['"]`,
  ]) {
    for (const match of code.matchAll(new RegExp(pattern, 'gm'))) names.add(match[1]!);
  }
  return names;
}

/** Names the docs may show that are not ours, each with the reason. */
const NOT_OURS: Record<string, string> = {
  SQLITE_DEFAULT_WAL_SYNCHRONOUS: "better-sqlite3's compile-time option",
  CHECKOUT_SESSION_ID: "Stripe's success-URL template variable",
};

const documents = ['README.md', ...walk('docs').filter((p) => p.endsWith('.md'))];

describe('codes named in the docs', () => {
  const defined = definedNames();

  it('finds the codes it checks (the scan is not empty)', () => {
    for (const code of ['RAW_BODY_REQUIRED', 'WEBHOOK_SIGNATURE_MISMATCH', 'INVALID_CONFIG', 'STRIPE_SECRET_KEY'])
      expect(defined).toContain(code);
    expect(defined).not.toContain('WEBHOOK_VERIFICATION_REFUSED_FOREVER');
  });

  it.each(documents)('%s names only codes that exist in the sources', (document) => {
    const named = new Set<string>();
    for (const span of read(document).matchAll(/`([^`\n]+)`/g)) {
      for (const match of span[1]!.matchAll(new RegExp(`(?<![\\w.])(?:${DOTTED}|${SNAKE})\\b`, 'g')))
        named.add(match[0]);
    }
    // A dotted name is known whole (`ACQ.TRADE_NOT_EXIST`) or by its last part (`process.env.DATABASE_URL`).
    const known = (name: string) => defined.has(name) || defined.has(name.slice(name.lastIndexOf('.') + 1));
    const unknown = [...named].filter((name) => !known(name) && !(name in NOT_OURS));
    expect(unknown).toEqual([]);
  });

  it('documents every code of docs/errors.md as thrown somewhere', () => {
    const table = read('docs/errors.md');
    const codes = [...table.matchAll(new RegExp(`\`(${SNAKE})\``, 'g'))].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(20);
    for (const code of codes) expect(defined, code).toContain(code);
  });
});

describe('codes the native adapters throw', () => {
  // The reverse direction for the native Alipay adapter: a code a user meets in a log (a refused notification,
  // a broken key) is named in the adapter's page. Business refusals are built from Alipay's sub_code
  // (ALIPAY_ACQ_…) and documented by their rule, not one by one.
  it('docs/providers/alipay.md names every ALIPAY_* code src/alipay throws', () => {
    const code = walk('src/alipay')
      .filter((p) => p.endsWith('.ts'))
      .map(read)
      .join('\n');
    const thrown = new Set([...code.matchAll(/code: '(ALIPAY_[A-Z0-9_]+)'/g)].map((m) => m[1]!));
    expect(thrown.size).toBeGreaterThan(10);
    const page = read('docs/providers/alipay.md');
    const named = new Set([...page.matchAll(/`(ALIPAY_[A-Z0-9_]+)`/g)].map((m) => m[1]!));
    expect([...thrown].filter((c) => !named.has(c)).sort()).toEqual([]);
  });
});
