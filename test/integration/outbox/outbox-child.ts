/**
 * A dispatcher process for the outbox process tests (run with `node --import tsx`). Environment:
 * DATABASE_URL; LOG (file: one `key claimToken pid` line per delivery = the raw counter); PROCESSED (file: keys an
 * idempotent consumer handled, each once); HANG_ON (a key this process delivers and then hangs on, as if it
 * died mid-delivery); LEASE_MS; UNTIL_DELIVERED (a key: exit once it is delivered; default: exit once nothing
 * is pending).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createOutboxDispatcher } from '../../../src/index.js';
import { createKyselyFromUrl, createKyselyRepositories } from '../../../src/kysely/index.js';

const env = process.env;
const db = await createKyselyFromUrl(env['DATABASE_URL']!);
const outbox = createKyselyRepositories(db).outbox;
const log = env['LOG']!;
const processed = env['PROCESSED'];

const dispatcher = createOutboxDispatcher({
  outbox,
  leaseMs: Number(env['LEASE_MS'] ?? 60_000),
  batchSize: 10,
  consumers: [
    {
      name: 'recorder',
      deliver: async (message) => {
        appendFileSync(log, `${message.key} ${process.pid}\n`);
        if (processed) {
          // An idempotent consumer: it remembers the keys it handled and drops a redelivery.
          const seen = existsSync(processed) ? readFileSync(processed, 'utf8').split('\n') : [];
          if (!seen.includes(message.key)) appendFileSync(processed, `${message.key}\n`);
        }
        if (message.key === env['HANG_ON']) {
          appendFileSync(log, `hung ${process.pid}\n`);
          await new Promise(() => {}); // never acknowledges: the parent kills this process here
        }
      },
    },
  ],
});

for (;;) {
  const report = await dispatcher.dispatchOnce();
  if (report.claimed > 0) continue;
  const until = env['UNTIL_DELIVERED'];
  if (until ? (await outbox.find(until))?.status === 'delivered' : (await outbox.stats()).pending === 0) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
await db.destroy();
