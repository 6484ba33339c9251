import { randomBytes } from 'node:crypto';
import { DphError } from '@dph/errors';

/** Standard Webhooks secret format: `whsec_` + base64 of the key bytes. 32 bytes = the HMAC-SHA256 block-safe size. */
export const SECRET_PREFIX = 'whsec_';

export function generateSecret(bytes = 32): string {
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/** The HMAC key of a secret: the decoded base64 after `whsec_` (a bare base64 string is accepted too). */
export function secretKey(secret: string): Buffer {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    throw new DphError('invalid_webhook_secret', 'webhook secret is not whsec_<base64>', { status: 400 });
  }
  const key = Buffer.from(b64, 'base64');
  if (key.length < 16) throw new DphError('invalid_webhook_secret', 'webhook secret is too short', { status: 400 });
  return key;
}

export function isWebhookSecret(value: string): boolean {
  try {
    return value.startsWith(SECRET_PREFIX) && secretKey(value).length >= 24;
  } catch {
    return false;
  }
}
