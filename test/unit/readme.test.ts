import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('README', () => {
  it('opens with the two commands a newcomer runs', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(read('README.md'))?.[1] ?? '';
    expect(firstBlock).toContain('npm install && npm run demo');
    expect(firstBlock).toContain('npm test');
  });

  it('shows the integration snippet that examples/readme-snippet.ts type-checks', () => {
    const snippet = /## Integrate in 20 lines\n\n```ts\n([\s\S]*?)```/.exec(read('README.md'))?.[1] ?? '';
    const file = read('examples/readme-snippet.ts');
    const lines = snippet.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.length).toBeLessThanOrEqual(22);
    for (const line of lines) expect(file).toContain(line);
  });

  it('links only to docs that exist', () => {
    const links = [...read('README.md').matchAll(/\]\((docs\/[^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(() => read(link), link).not.toThrow();
  });
});
