import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/core/errors.js';
import {
  assertPeerInstalled,
  installCommand,
  isPeerNotFound,
  loadPeer,
  type OptionalPeer,
} from '../../../src/core/optional-peer.js';

const missing: OptionalPeer = {
  name: 'pf-no-such-package',
  range: '^1.0.0',
  code: 'NO_SUCH_SDK_MISSING',
  neededBy: 'The test adapter',
};
const installed: OptionalPeer = { name: 'zod', range: '^4.0.0', code: 'ZOD_MISSING', neededBy: 'The test' };

describe('optional peers', () => {
  it('names the install command', () => {
    expect(installCommand(missing)).toBe('npm install pf-no-such-package@^1.0.0');
    expect(installCommand({ ...missing, name: 'kysely', range: '>=0.28.0 <0.30.0' })).toBe(
      'npm install "kysely@>=0.28.0 <0.30.0"',
    );
  });

  it('reports a missing peer at construction with a typed error carrying the install command', () => {
    const error = (() => {
      try {
        assertPeerInstalled(missing, 'test');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ code: 'NO_SUCH_SDK_MISSING', provider: 'test', details: { package: missing.name } });
    expect((error as Error).message).toContain('npm install pf-no-such-package@^1.0.0');
    expect(() => assertPeerInstalled(installed)).not.toThrow();
  });

  it('turns a failed import() of the peer into the typed error on first use', async () => {
    const importAtRunTime = (specifier: string): Promise<unknown> => import(specifier);
    await expect(loadPeer(missing, () => importAtRunTime(missing.name))).rejects.toMatchObject({
      name: 'ConfigurationError',
      code: 'NO_SUCH_SDK_MISSING',
    });
    await expect(loadPeer(installed, () => importAtRunTime('zod'))).resolves.toHaveProperty('z');
  });

  it('passes on errors that are not the peer itself missing (a module the peer imports, a crash)', async () => {
    const inner = Object.assign(new Error("Cannot find package 'left-pad' imported from stripe"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    expect(isPeerNotFound({ ...missing, name: 'stripe' }, inner)).toBe(false);
    await expect(loadPeer(missing, () => Promise.reject(new TypeError('boom')))).rejects.toThrow(TypeError);
    expect(isPeerNotFound(missing, new Error(`Cannot find module '${missing.name}'`))).toBe(true);
  });
});
