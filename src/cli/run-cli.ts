/**
 * `runCli`: the `payment-factory` command line as a function of its arguments, environment and output, so
 * every command is tested in-process. Each command declares its flags; `--help` / `-h` prints the command's
 * usage and exits 0 before anything else runs (no database is opened, nothing is printed but the usage); an
 * unknown flag or a stray argument is an error (exit 2) rather than silently ignored.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { generateEnvExample } from '../core/env-example.js';
import { isPaymentError } from '../core/errors.js';

/** Where the CLI writes, and what it reads. */
export interface CliIo {
  /** Normal output (the env file, migration progress). */
  stdout(text: string): void;
  /** Usage errors and failures. */
  stderr(text: string): void;
  /** The environment (`DATABASE_URL`). */
  env: NodeJS.ProcessEnv;
  /** Stops a long-running command (`worker`). @default SIGTERM / SIGINT */
  signal?: AbortSignal;
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

interface CliCommand {
  summary: string;
  usage: string;
  options: Options;
  run(values: Values, io: CliIo): Promise<number>;
}

const COMMANDS: Record<string, CliCommand> = {
  'env-example': {
    summary: 'Print the .env.example for every configuration key',
    usage: `Usage: payment-factory env-example [--help]

Prints a .env.example listing every configuration key with its description and default
(secret keys are left empty). Reads nothing and writes only to stdout:

  payment-factory env-example > .env.example
`,
    options: {},
    run: async (_values, io) => {
      io.stdout(generateEnvExample());
      return 0;
    },
  },
  migrate: {
    summary: 'Create or upgrade the payment tables at DATABASE_URL',
    usage: `Usage: payment-factory migrate [--schema <name>] [--help]

Creates or upgrades the payment tables at DATABASE_URL, then exits:
  DATABASE_URL=./payments.sqlite              SQLite file (also sqlite:path, file:path)
  DATABASE_URL=postgres://user@host/db        PostgreSQL (postgresql:// too)
  DATABASE_URL=mysql://user@host/db           MySQL / MariaDB (mariadb:// too)

Options:
  --schema <name>   PostgreSQL: migrate this schema (created if missing) instead of the
                    connection's current one (search_path, e.g. ?options=-c%20search_path%3Dpay)
  -h, --help        Print this usage

Exit code 0 when the tables are up to date, 1 on any failure. The URL is never printed.
`,
    options: { schema: { type: 'string' } },
    run: async (values, io) => {
      const { runMigrate } = await import('./migrate.js');
      const schema = typeof values['schema'] === 'string' ? values['schema'] : undefined;
      return runMigrate(io.env, { log: (m) => io.stdout(`${m}\n`) }, { schema });
    },
  },
  worker: {
    summary: 'Deliver outbox notifications and run the reconcile sweep until SIGTERM',
    usage: `Usage: payment-factory worker [--module <path>] [--health-every <seconds>] [--no-reconcile] [--help]

Delivers the notifications in the outbox (order_payment_outbox at DATABASE_URL) to their consumers, at
least once, with backoff; runs the reconcile sweep (pending attempts pulled from their provider, expired
ones closed). Start as many as you like: they split the work through the database.

Consumers:
  --module <path>        a module exporting "service" (a PaymentService: its afterCommit and onAnomaly
                         hooks become consumers, its providers serve the sweep) and/or "consumers"
                         (OutboxConsumer[]); without it the environment decides:
  PAYMENT_OUTBOX_FORWARD_URL (+ PAYMENT_OUTBOX_FORWARD_SECRET)   POST every notification there, signed
  FEISHU_WEBHOOK_URL (+ FEISHU_WEBHOOK_SECRET)                   paid and refunded orders to a Feishu bot

Retention: delivered rows older than PAYMENT_OUTBOX_RETENTION_DAYS (default 7; 0 keeps them) are deleted
every hour in small batches (see "payment-factory outbox-prune").

Options:
  --health-every <s>     print a health line (JSON counts) every s seconds (default 30)
  --no-reconcile         do not run the reconcile sweep
  -h, --help             Print this usage

SIGTERM or SIGINT: finishes the deliveries in hand, prints a last health line, exits 0. A worker killed
outright loses nothing: its rows return to the others when their lease (60 s) ends.
`,
    options: {
      module: { type: 'string' },
      'health-every': { type: 'string' },
      'no-reconcile': { type: 'boolean' },
    },
    run: async (values, io) => {
      const { runWorker } = await import('./worker.js');
      const every = values['health-every'];
      const seconds = typeof every === 'string' ? Number(every) : undefined;
      if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) {
        return usageError('--health-every must be a positive number of seconds.', io);
      }
      return runWorker(io.env, io, {
        module: typeof values['module'] === 'string' ? values['module'] : undefined,
        healthEverySeconds: seconds,
        noReconcile: values['no-reconcile'] === true,
        signal: io.signal,
      });
    },
  },
  'outbox-prune': {
    summary: 'Delete delivered outbox rows past their retention (what the worker does hourly)',
    usage: `Usage: payment-factory outbox-prune [--retention-days <n>] [--help]

Deletes the outbox rows at DATABASE_URL that are finished with: delivered notifications older than the
retention, and reconcile / expiry sweep claims an hour after their hold. Batches of 500 rows, so the table is
never held long; runs until none is left, prints how many it deleted, exits. Dead rows are never deleted.
The worker does the same every hour; this is for catching up on an old table, or for cron.

Options:
  --retention-days <n>   keep delivered rows this many days (default PAYMENT_OUTBOX_RETENTION_DAYS, 7)
  -h, --help             Print this usage

Exit code 0 when done, 1 on any failure. The URL is never printed.
`,
    options: { 'retention-days': { type: 'string' } },
    run: async (values, io) => {
      const { runOutboxPrune } = await import('./outbox-prune.js');
      const raw = values['retention-days'];
      const days = typeof raw === 'string' ? Number(raw) : undefined;
      if (days !== undefined && !(Number.isSafeInteger(days) && days >= 1)) {
        return usageError('--retention-days must be a whole number of days, at least 1.', io);
      }
      return runOutboxPrune(io.env, io, { retentionDays: days });
    },
  },
};

/** The top-level usage, listing every command. */
export function cliUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}   ${c.summary}`);
  return `Usage: payment-factory <command> [--help]

Commands:
${lines.join('\n')}

Run "payment-factory <command> --help" for a command's usage.
`;
}

/**
 * Runs `payment-factory` with `argv` (the arguments after the program name) and returns the exit code: 0
 * success or help, 1 failure, 2 usage error.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), {
 *   stdout: (t) => process.stdout.write(t),
 *   stderr: (t) => process.stderr.write(t),
 *   env: process.env,
 * });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(cliUsage());
    return 2;
  }
  if (name === '--help' || name === '-h') {
    io.stdout(cliUsage());
    return 0;
  }
  if (name === 'help') {
    const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
    if (rest[0] !== undefined && topic === undefined) return usageError(`Unknown command "${rest[0]}".`, io);
    io.stdout(topic ? topic.usage : cliUsage());
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) return usageError(`Unknown command "${name}".`, io);

  // --help wins over anything else on the line (as in git, npm): asking for help never fails.
  const beforeTerminator = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (beforeTerminator.some((arg) => arg === '--help' || arg === '-h')) {
    io.stdout(command.usage);
    return 0;
  }
  let values: Values;
  try {
    ({ values } = parseArgs({ args: [...rest], options: command.options, strict: true }));
  } catch (error) {
    return usageError(`${error instanceof Error ? error.message : String(error)}`, io, command.usage);
  }
  try {
    return await command.run(values, io);
  } catch (error) {
    io.stderr(`${isPaymentError(error) ? `${error.code}: ${error.message}` : String(error)}\n`);
    return 1;
  }
}

function usageError(message: string, io: CliIo, usage: string = cliUsage()): number {
  io.stderr(`${message}\n\n${usage}`);
  return 2;
}
