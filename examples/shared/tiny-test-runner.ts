/**
 * A minimal test runner with the `{ describe, it, beforeAll, afterAll }` shape the library's conformance
 * suites accept, so an example can run a suite as a plain script. In a real project, pass vitest's, jest's
 * or `node:test`'s functions instead.
 * @module
 */

interface Suite {
  name: string;
  children: Array<Suite | { name: string; fn: () => Promise<void> }>;
  beforeAll: Array<() => Promise<void>>;
  afterAll: Array<() => Promise<void>>;
}

/** What a run found. */
export interface TinyRunResult {
  passed: number;
  failed: Array<{ name: string; error: unknown }>;
}

/** A runner: register with `describe`/`it`/`beforeAll`/`afterAll`, then `run()` the tests in order. */
export interface TinyTestRunner {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>): void;
  beforeAll(fn: () => Promise<void>): void;
  afterAll(fn: () => Promise<void>): void;
  run(onResult?: (name: string, error: unknown) => void): Promise<TinyRunResult>;
}

/** Creates a runner. */
export function createTinyTestRunner(): TinyTestRunner {
  const root: Suite = { name: '', children: [], beforeAll: [], afterAll: [] };
  let current = root;

  async function runSuite(
    suite: Suite,
    prefix: string,
    result: TinyRunResult,
    onResult?: (name: string, error: unknown) => void,
  ): Promise<void> {
    const path = suite.name ? `${prefix}${suite.name} › ` : prefix;
    try {
      for (const hook of suite.beforeAll) await hook();
      for (const child of suite.children) {
        if ('children' in child) {
          await runSuite(child, path, result, onResult);
          continue;
        }
        const name = `${path}${child.name}`;
        try {
          await child.fn();
          result.passed += 1;
          onResult?.(name, null);
        } catch (error) {
          result.failed.push({ name, error });
          onResult?.(name, error ?? new Error('failed'));
        }
      }
    } finally {
      for (const hook of suite.afterAll) await hook();
    }
  }

  return {
    describe(name, fn) {
      const suite: Suite = { name, children: [], beforeAll: [], afterAll: [] };
      current.children.push(suite);
      const parent = current;
      current = suite;
      try {
        fn();
      } finally {
        current = parent;
      }
    },
    it(name, fn) {
      current.children.push({ name, fn });
    },
    beforeAll(fn) {
      current.beforeAll.push(fn);
    },
    afterAll(fn) {
      current.afterAll.push(fn);
    },
    async run(onResult) {
      const result: TinyRunResult = { passed: 0, failed: [] };
      await runSuite(root, '', result, onResult);
      return result;
    },
  };
}
