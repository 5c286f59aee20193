/**
 * Cost of importing the package root (built `dist/index.js`, ESM) in a fresh Node process, vs `node -e 0`:
 * both started alternately, wall time per process, median per round.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { interleaved, sample, type Comparison } from './measure.js';

const root = join(import.meta.dirname, '..');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Builds `dist/` when it is missing or older than `src/`. */
export function ensureBuilt(): void {
  const entry = join(root, 'dist', 'index.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newest(join(root, 'src'))) return;
  const built = spawnSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
  if (built.status !== 0) throw new Error('bench: `npx tsup` failed; run `npm run build` to see why');
}

function wallMs(args: string[]): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`bench: node ${args.join(' ')} exited ${run.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Values are ms per process start. */
export async function importBench(plan: { rounds: number; batch: number }): Promise<Comparison> {
  ensureBuilt();
  const url = pathToFileURL(join(root, 'dist', 'index.js')).href;
  const subject = ['--input-type=module', '-e', `await import(${JSON.stringify(url)})`];
  const baseline = ['-e', '0'];
  wallMs(subject);
  wallMs(baseline);
  const round = (args: string[]) => async () => sample(Array.from({ length: plan.batch }, () => wallMs(args))).median;
  return interleaved(plan.rounds, round(subject), round(baseline));
}
