/**
 * `payment-factory`: every command answers `--help` with its usage and exit 0 without doing anything, and
 * refuses flags and arguments it does not know instead of ignoring them.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliUsage, runCli } from '../../../src/cli/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pf-cli-help-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
  return { code, stdout, stderr };
}

const COMMANDS = ['env-example', 'migrate', 'worker'] as const;

describe('payment-factory --help', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the usage listing every command, exit 0', async (flag) => {
    const { code, stdout, stderr } = await run([flag]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe(cliUsage());
    for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('prints the usage to stderr with exit 2 when no command is given', async () => {
    const { code, stdout, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(cliUsage());
  });

  describe.each(COMMANDS)('%s', (command) => {
    it.each([[[command, '--help']], [[command, '-h']], [['help', command]], [[command, '--help', '--bogus']]])(
      '%j prints only its usage, exit 0, without touching DATABASE_URL',
      async (argv) => {
        const database = join(dir, `${command}.sqlite`);
        const { code, stdout, stderr } = await run(argv, { DATABASE_URL: database });
        expect(code).toBe(0);
        expect(stderr).toBe('');
        expect(stdout).toMatch(new RegExp(`^Usage: payment-factory ${command} `));
        expect(stdout).not.toMatch(/^[A-Z_]+=/m); // not the env file
        expect(existsSync(database)).toBe(false); // nothing migrated
      },
    );

    it('refuses an unknown flag with exit 2, naming it', async () => {
      const database = join(dir, `${command}-flag.sqlite`);
      const { code, stdout, stderr } = await run([command, '--dry-run'], { DATABASE_URL: database });
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/Unknown option '--dry-run'/);
      expect(stderr).toContain(`Usage: payment-factory ${command}`);
      expect(existsSync(database)).toBe(false);
    });

    it('refuses a stray argument with exit 2', async () => {
      const { code, stderr } = await run([command, 'now']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/Unexpected argument 'now'/);
    });
  });

  it('refuses an unknown command with exit 2', async () => {
    const { code, stderr } = await run(['serve']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^Unknown command "serve"\./);
    expect((await run(['help', 'serve'])).code).toBe(2);
  });

  it('still runs the commands', async () => {
    expect((await run(['env-example'])).stdout).toMatch(/^STRIPE_SECRET_KEY=$/m);
    const database = join(dir, 'migrated.sqlite');
    const migrated = await run(['migrate'], { DATABASE_URL: database });
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/Applied: payment-factory-0001/);
    expect(existsSync(database)).toBe(true);
  });
});
