/**
 * AEAD_AES_256_GCM, as WeChat Pay uses it to encrypt the `resource` of a notification (and the platform
 * certificates it hands out): the key is the merchant's 32-byte APIv3 key, the 12-byte `nonce` and the
 * `associated_data` travel beside the `ciphertext`, and the base64 `ciphertext` ends with the 16-byte
 * authentication tag. A changed byte anywhere, or the wrong key, fails the tag check.
 * @module
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

/** The encrypted `resource` of a notification. */
export interface WechatPayEncryptedResource {
  /** Always `AEAD_AES_256_GCM` today. */
  algorithm: string;
  /** Base64 of the ciphertext followed by the 16-byte tag. */
  ciphertext: string;
  /** The GCM nonce, as text (12 characters). */
  nonce: string;
  /** Authenticated, not encrypted (`transaction`, `refund`). May be absent or empty. */
  associated_data?: string | undefined;
  /** What the plaintext is (`transaction`, `refund`). */
  original_type?: string | undefined;
}

const TAG_LENGTH = 16;

/** Whether `key` is a usable APIv3 key: exactly 32 bytes of UTF-8 (WeChat Pay's console takes 32 ASCII characters). */
export function isApiV3Key(key: unknown): key is string {
  return typeof key === 'string' && Buffer.byteLength(key, 'utf8') === 32;
}

/**
 * Decrypts a resource with the APIv3 key.
 * @returns the plaintext (a JSON text), or `null` when the tag does not verify (wrong key, changed bytes),
 *   the algorithm is not AEAD_AES_256_GCM or the fields are malformed. The caller turns `null` into its error.
 */
export function decryptWechatPayResource(resource: WechatPayEncryptedResource, apiV3Key: string): string | null {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') return null;
  if (typeof resource.ciphertext !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(resource.ciphertext)) return null;
  if (typeof resource.nonce !== 'string' || resource.nonce.length === 0) return null;
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length <= TAG_LENGTH) return null;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      Buffer.from(apiV3Key, 'utf8'),
      Buffer.from(resource.nonce, 'utf8'),
      {
        authTagLength: TAG_LENGTH,
      },
    );
    decipher.setAuthTag(data.subarray(data.length - TAG_LENGTH));
    decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
    const plain = Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_LENGTH)), decipher.final()]);
    return plain.toString('utf8');
  } catch {
    return null;
  }
}

/**
 * Encrypts a plaintext the way WeChat Pay does (for the emulator and `signWechatPayNotification`).
 * @returns the base64 ciphertext with its tag appended.
 */
export function encryptWechatPayResource(
  plaintext: string,
  apiV3Key: string,
  nonce: string,
  associatedData: string,
): string {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'), {
    authTagLength: TAG_LENGTH,
  });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return encrypted.toString('base64');
}
