import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DphError } from '@dph/errors';

/**
 * Seals webhook secrets for storage in Postgres with AES-256-GCM from node:crypto. This is not home-made crypto:
 * GCM is the standard library's AEAD; the only product logic is the framing below (version | iv | tag | data)
 * and binding each ciphertext to its row through the additional data, so a sealed secret copied into another
 * subscription's row fails to open.
 */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedSecret {
  ciphertext: Buffer;
  keyId: string;
}

export interface SecretBox {
  readonly keyId: string;
  seal(plaintext: string, context: string): SealedSecret;
  open(sealed: SealedSecret, context: string): string;
}

/** Parses a 32-byte key given as raw bytes, base64 or hex (what DPH_WEBHOOK_SECRET_KEY_FILE holds). */
export function parseKey(material: Buffer): Buffer {
  if (material.length === 32) return material;
  const text = material.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const b64 = Buffer.from(text, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/=]+$/.test(text)) return b64;
  throw new DphError('invalid_config', 'DPH_WEBHOOK_SECRET_KEY_FILE: expected a 32-byte key (raw, hex or base64)');
}

export function createSecretBox(key: Buffer, previousKeys: Buffer[] = []): SecretBox {
  const keyIdOf = (k: Buffer) => createHash('sha256').update(k).digest('hex').slice(0, 16);
  const keys = new Map<string, Buffer>([[keyIdOf(key), key], ...previousKeys.map((k) => [keyIdOf(k), k] as [string, Buffer])]);
  const keyId = keyIdOf(key);
  return {
    keyId,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return { ciphertext: Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), data]), keyId };
    },
    open(sealed, context) {
      const k = keys.get(sealed.keyId);
      const c = sealed.ciphertext;
      if (!k || c.length < 1 + IV_BYTES + TAG_BYTES || c[0] !== VERSION) throw unreadable();
      const decipher = createDecipheriv('aes-256-gcm', k, c.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(c.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(c.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw unreadable();
      }
    },
  };
}

export function secretBoxFromFile(path: string, previousKeyPaths: string[] = []): SecretBox {
  return createSecretBox(parseKey(readFileSync(path)), previousKeyPaths.map((p) => parseKey(readFileSync(p))));
}

function unreadable(): DphError {
  return new DphError('webhook_secret_unreadable', 'stored webhook secret cannot be opened', { status: 500 });
}
