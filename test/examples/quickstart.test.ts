import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuickstart } from '../../examples/quickstart.js';

describe('examples/quickstart.ts (npm run demo)', () => {
  it('ends with the Stripe, Ping++ and native Alipay orders paid', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pf-demo-')), 'demo.sqlite');
    await expect(runQuickstart({ databaseFile: file, quiet: true, env: {} })).resolves.toEqual({ ok: true });
  });
});
