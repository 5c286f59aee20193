#!/usr/bin/env node
/**
 * `payment-factory` command line: `env-example` prints the `.env.example`, `migrate` runs the Kysely
 * migrations against `DATABASE_URL`.
 * @module
 */
import { generateEnvExample } from '../core/env-example.js';
import { isPaymentError } from '../core/errors.js';

const USAGE = `Usage: payment-factory <command>

Commands:
  env-example   Print the .env.example for every configuration key
  migrate       Create or upgrade the payment tables at DATABASE_URL
                (SQLite file path, postgres://… or mysql://…)
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'env-example':
      process.stdout.write(generateEnvExample());
      return 0;
    case 'migrate': {
      const { runMigrate } = await import('./migrate.js');
      return runMigrate(process.env, { log: (m) => process.stdout.write(`${m}\n`) });
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${isPaymentError(error) ? `${error.code}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  },
);
