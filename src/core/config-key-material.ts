/**
 * Checks the key material `loadPaymentConfig` is given — inline PEMs and the files `*_PATH` keys name — so a
 * garbage key or a missing file is reported at startup, beside every other problem, instead of by the first
 * adapter that needs it (one problem per restart).
 *
 * Uses `node:fs` / `node:crypto` through `process.getBuiltinModule`, so the package root still loads where
 * they do not exist (an edge runtime, Node < 20.16); there the adapter that reads the key reports it instead.
 * Messages name keys and error codes, never key material or file contents.
 * @module
 */

/** One PEM key that can be set inline or as a file path. */
export interface PemKeySetting {
  /** Key holding the PEM itself, e.g. `PINGXX_PRIVATE_KEY`. */
  pemKey: string;
  /** Key holding a path to the PEM file, e.g. `PINGXX_PRIVATE_KEY_PATH`. */
  pathKey: string;
  /** Which kind of RSA key it must be. */
  kind: 'private' | 'public';
}

interface KeyObjectLike {
  asymmetricKeyType?: string | undefined;
}
interface NodeCrypto {
  createPrivateKey(key: { key: string; format: 'pem' }): KeyObjectLike;
  createPublicKey(key: { key: string; format: 'pem' }): KeyObjectLike;
}
interface NodeFs {
  readFileSync(path: string, encoding: 'utf8'): string;
}

function builtin<T>(id: string): T | undefined {
  const host = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return host?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Validates one key setting and appends a message per problem to `issues`. `pem` is the inline value (with
 * literal `\n` already turned into newlines), `path` the file path; either may be absent.
 *
 * @example
 * ```ts
 * checkPemKeySetting(
 *   { pemKey: 'PINGXX_PRIVATE_KEY', pathKey: 'PINGXX_PRIVATE_KEY_PATH', kind: 'private' },
 *   { pem: undefined, path: './keys/missing.pem' },
 *   issues,
 * ); // issues: ['PINGXX_PRIVATE_KEY_PATH names a file that cannot be read (ENOENT).']
 * ```
 */
export function checkPemKeySetting(
  setting: PemKeySetting,
  source: { pem?: string | undefined; path?: string | undefined },
  issues: string[],
): void {
  if (source.pem !== undefined) {
    const problem = pemProblem(source.pem, setting.kind);
    if (problem) issues.push(`${setting.pemKey} ${problem}${setting.kind === 'private' ? ' (value hidden)' : ''}.`);
  }
  if (source.path !== undefined) {
    const fs = builtin<NodeFs>('node:fs');
    if (!fs) return;
    let content: string;
    try {
      content = fs.readFileSync(source.path, 'utf8');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const reason =
        code === 'ENOENT'
          ? ': no such file (relative paths resolve against the working directory)'
          : code === 'EISDIR'
            ? ': it is a directory'
            : typeof code === 'string'
              ? ` (${code})`
              : '';
      issues.push(`${setting.pathKey} names a file that cannot be read${reason}.`);
      return;
    }
    const problem = pemProblem(content, setting.kind);
    if (problem) issues.push(`${setting.pathKey} names a file whose content ${problem}.`);
  }
}

/** What is wrong with `pem` as an RSA key of `kind`, or `undefined` when it parses (or cannot be checked here). */
function pemProblem(pem: string, kind: 'private' | 'public'): string | undefined {
  if (kind === 'public' && /PRIVATE KEY/.test(pem)) return 'holds a private key; it must be the public key';
  const crypto = builtin<NodeCrypto>('node:crypto');
  if (!crypto) return undefined;
  let key: KeyObjectLike;
  try {
    key =
      kind === 'private'
        ? crypto.createPrivateKey({ key: pem, format: 'pem' })
        : crypto.createPublicKey({ key: pem, format: 'pem' });
  } catch {
    return kind === 'private'
      ? 'is not a readable unencrypted PEM private key (PKCS#1 or PKCS#8)'
      : 'is not a readable PEM public key (SPKI or PKCS#1)';
  }
  return key.asymmetricKeyType === 'rsa' ? undefined : `must be an RSA ${kind} key`;
}
