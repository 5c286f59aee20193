import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** Runs `npx tsx examples/<name>.ts` the way a reader (and CI) does. */
function runExample(name: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tsx, [`examples/${name}.ts`], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('examples run as scripts and exit 0', () => {
  for (const [name, expected] of [
    ['express-webhooks', /RAW_BODY_REQUIRED[\s\S]*is now paid/],
    ['fastify-webhooks', /"outcome":"duplicate"[\s\S]*is now paid/],
    ['hono-webhooks', /"outcome":"applied"[\s\S]*is now paid/],
    ['nextjs-route-handler', /"outcome":"applied"[\s\S]*is now paid/],
    ['custom-repository', /\d+ rules passed, 0 failed[\s\S]*is now paid/],
    ['reconcile-cron', /changed 1, still pending 1[\s\S]*SIGTERM[\s\S]*loop stopped/],
    [
      'merchant-accounts',
      /forged with B's secret on A's route: 400[\s\S]*genuine on A's route: 200 \{"received":true,"outcome":"applied"\}[\s\S]*Alipay on B's app route: 200 success[\s\S]*through acct_a_v1: succeeded/,
    ],
  ] as const) {
    it(`npx tsx examples/${name}.ts`, async () => {
      const result = await runExample(name);
      expect(result.stderr).not.toMatch(/\[error\]|Error:/);
      expect(result.stdout).toMatch(expected);
      expect(result.code).toBe(0);
    });
  }
});
