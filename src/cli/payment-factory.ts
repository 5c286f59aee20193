#!/usr/bin/env node
/**
 * `payment-factory` command line: `env-example` prints the `.env.example`, `migrate` runs the Kysely
 * migrations against `DATABASE_URL`; every command answers `--help`. The commands live in `run-cli.ts`.
 * @module
 */
import { runCli } from './run-cli.js';

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  },
);
