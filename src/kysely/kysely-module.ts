/**
 * `kysely`, an optional peer dependency, loaded on first use rather than when `@org/payment-factory/kysely` is
 * imported: a static import of a missing package makes the import itself fail with the runtime's raw
 * `ERR_MODULE_NOT_FOUND`, before any of our code runs. Without `kysely` installed, the entry imports, and the first
 * call throws `ConfigurationError` `KYSELY_MISSING` naming the install command.
 *
 * The CommonJS build loads it with `require` (synchronously, the same copy a CommonJS host requires); the ESM build
 * with `import()`, which every async entry point awaits first (`loadKysely()`): `createKyselyFromUrl`,
 * `migrateToLatest`, each migration, each repository call and `transaction`. Only {@link sql} and
 * {@link loadedKysely} are read synchronously, inside those calls.
 * @module
 */
import type * as KyselyModule from 'kysely';

/** Replaced by `true` / `false` when tsup builds (`tsup.config.ts`); undeclared when the sources run as they are. */
declare const __PF_CJS_BUILD__: boolean | undefined;
import { loadPeer, peerMissingError, peerRequire, type OptionalPeer } from '../core/optional-peer.js';

/** `kysely`, as an optional peer: its install command and the `KYSELY_MISSING` error. */
export const KYSELY_PEER: OptionalPeer = {
  name: 'kysely',
  range: '>=0.28.0 <0.30.0',
  code: 'KYSELY_MISSING',
  neededBy: '@org/payment-factory/kysely',
};

let loaded: typeof KyselyModule | undefined;
let loading: Promise<typeof KyselyModule> | undefined;

/** CommonJS build: `require('kysely')`, synchronously, so nothing needs to wait for it. */
function requireKysely(): typeof KyselyModule | undefined {
  // Only the CommonJS build (the ESM build, and the sources under Vitest or tsx, must take the ESM copy of kysely
  // their host imports: `instanceof` fails across copies).
  if (typeof __PF_CJS_BUILD__ === 'undefined' || !__PF_CJS_BUILD__) return undefined;
  const load = peerRequire();
  if (!load) return undefined;
  try {
    return load('kysely') as typeof KyselyModule;
  } catch (cause) {
    throw peerMissingError(KYSELY_PEER, cause);
  }
}

/**
 * Loads `kysely` once per process (a failed load is retried on the next call).
 * @throws ConfigurationError `KYSELY_MISSING` when `kysely` is not installed.
 */
export async function loadKysely(): Promise<typeof KyselyModule> {
  loaded ??= requireKysely();
  if (loaded) return loaded;
  loading ??= loadPeer(KYSELY_PEER, () => import('kysely')).then(
    (module) => (loaded = module),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** The `kysely` module if it is loaded (always in the CommonJS build once it is installed), else `undefined`. */
export function loadedKysely(): typeof KyselyModule | undefined {
  if (!loaded) {
    try {
      loaded = requireKysely();
    } catch {
      return undefined;
    }
  }
  return loaded;
}

function kyselyNow(): typeof KyselyModule {
  const module = loadedKysely();
  if (!module) throw new Error('@org/payment-factory/kysely used kysely before loadKysely() resolved (a bug).');
  return module;
}

/**
 * Kysely's `sql` template tag (and `sql.raw`, `sql.ref`, …), forwarded to the loaded module: usable inside any
 * function that awaited {@link loadKysely} first.
 */
export const sql: typeof KyselyModule.sql = new Proxy(function sqlTag() {} as unknown as typeof KyselyModule.sql, {
  apply: (_target, _this, args: unknown[]) => Reflect.apply(kyselyNow().sql, undefined, args) as unknown,
  get: (_target, key) => Reflect.get(kyselyNow().sql, key) as unknown,
});
