/**
 * Bun / Deno entry of the runtime check: reads the scenario input file, prints the report as JSON. (Deno runs it
 * with `--sloppy-imports`, which maps the `.js` specifier to the `.ts` file as TypeScript and Bun do.)
 */
import { readFileSync } from 'node:fs';
import { runScenario, type ScenarioInput } from './scenario.js';

const [file, runtime] = process.argv.slice(-2) as [string, string];
const report = await runScenario(JSON.parse(readFileSync(file, 'utf8')) as ScenarioInput, runtime);
process.stdout.write(`${JSON.stringify(report)}\n`);
