/**
 * RSA public keys for webhook verification on Web Crypto: a PEM (SPKI `BEGIN PUBLIC KEY` or PKCS#1
 * `BEGIN RSA PUBLIC KEY`) is checked and turned into SPKI DER synchronously, so a bad key fails when a
 * verifier is built; the DER is then imported once as an RSASSA-PKCS1-v1_5 / SHA-256 `CryptoKey`.
 *
 * Why PKCS#1 is wrapped by hand: Web Crypto imports RSA public keys only as `spki` or `jwk`; there is no
 * `pkcs1` format, and no runtime-neutral API converts one. A PKCS#1 `RSAPublicKey` is exactly the
 * `subjectPublicKey` inside an SPKI, so wrapping it is a few fixed DER bytes:
 * `SEQUENCE { SEQUENCE { OID rsaEncryption, NULL }, BIT STRING { 0x00, RSAPublicKey } }`.
 * @module
 */
import { fromBase64 } from './web-crypto.js';

/** The DER of `AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }`. */
const RSA_ALGORITHM = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
/** The DER of the rsaEncryption OID alone. */
const RSA_OID = RSA_ALGORITHM.slice(2, 13);

/** A parsed RSA public key: SPKI DER, ready for `crypto.subtle.importKey('spki', …)`. */
export interface RsaPublicKeyDer {
  spki: Uint8Array<ArrayBuffer>;
  /** What the PEM held. */
  format: 'spki' | 'pkcs1';
}

/**
 * Parses an RSA public key PEM into SPKI DER. Returns a reason (never key material) when it cannot.
 *
 * @example
 * ```ts
 * const parsed = parseRsaPublicKeyPem(pem);
 * if (typeof parsed === 'string') throw new ConfigurationError(`webhookPublicKey ${parsed}`);
 * ```
 */
export function parseRsaPublicKeyPem(pem: string): RsaPublicKeyDer | string {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) return 'holds a private key; use the public key.';
  const block = /-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!block) return 'is not a PEM public key (BEGIN PUBLIC KEY or BEGIN RSA PUBLIC KEY).';
  const der = fromBase64(block[2] ?? '');
  if (!der || der.length === 0) return 'is not a readable PEM public key (its body is not base64).';
  if (block[1] === 'RSA PUBLIC KEY') {
    if (!isRsaPublicKey(der, 0, der.length)) return 'is not a readable PKCS#1 RSA public key.';
    return { spki: wrapPkcs1(der), format: 'pkcs1' };
  }
  const outer = readTlv(der, 0);
  if (!outer || outer.tag !== 0x30 || outer.end !== der.length) return 'is not a readable PEM public key.';
  const algorithm = readTlv(der, outer.start);
  if (!algorithm || algorithm.tag !== 0x30) return 'is not a readable PEM public key.';
  const oid = readTlv(der, algorithm.start);
  if (!oid || oid.tag !== 0x06) return 'is not a readable PEM public key.';
  if (!sameBytes(der.subarray(oid.start - 2, oid.end), RSA_OID)) return 'must be an RSA key.';
  const bits = readTlv(der, algorithm.end);
  if (!bits || bits.tag !== 0x03 || bits.end !== outer.end || der[bits.start] !== 0x00)
    return 'is not a readable PEM public key.';
  if (!isRsaPublicKey(der, bits.start + 1, bits.end)) return 'is not a readable PEM public key.';
  return { spki: der, format: 'spki' };
}

/**
 * Imports SPKI DER as a verify-only RSASSA-PKCS1-v1_5 / SHA-256 key.
 *
 * @example
 * ```ts
 * const key = await importRsaVerifyKey(crypto.subtle, parsed.spki);
 * const ok = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature, body);
 * ```
 */
export function importRsaVerifyKey(subtle: SubtleCrypto, spki: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
}

/** `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` spanning exactly `[from, to)`. */
function isRsaPublicKey(der: Uint8Array, from: number, to: number): boolean {
  const seq = readTlv(der, from);
  if (!seq || seq.tag !== 0x30 || seq.end !== to) return false;
  const modulus = readTlv(der, seq.start);
  if (!modulus || modulus.tag !== 0x02 || modulus.end - modulus.start < 64) return false;
  const exponent = readTlv(der, modulus.end);
  return exponent !== null && exponent.tag === 0x02 && exponent.end === seq.end;
}

function wrapPkcs1(pkcs1: Uint8Array): Uint8Array<ArrayBuffer> {
  const bitString = [0x03, ...derLength(pkcs1.length + 1), 0x00];
  const bodyLength = RSA_ALGORITHM.length + bitString.length + pkcs1.length;
  const head = [0x30, ...derLength(bodyLength), ...RSA_ALGORITHM, ...bitString];
  const out = new Uint8Array(head.length + pkcs1.length);
  out.set(head, 0);
  out.set(pkcs1, head.length);
  return out;
}

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** One DER tag-length-value at `offset`: content in `[start, end)`; `null` when truncated or malformed. */
function readTlv(der: Uint8Array, offset: number): { tag: number; start: number; end: number } | null {
  const tag = der[offset];
  let lengthByte = der[offset + 1];
  if (tag === undefined || lengthByte === undefined) return null;
  let start = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) return null;
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = der[start + i];
      if (lengthByte === undefined) return null;
      length = length * 256 + lengthByte;
    }
    start += count;
  }
  const end = start + length;
  return end > der.length ? null : { tag, start, end };
}

function sameBytes(a: Uint8Array, b: readonly number[]): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
