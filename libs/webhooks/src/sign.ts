import { createHmac } from 'node:crypto';
import { secretKey } from './secret.js';

export const HEADER = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
  dphSignature: 'x-dph-signature',
  dphTimestamp: 'x-dph-timestamp',
  dphEventId: 'x-dph-event-id',
} as const;

export interface SignInput {
  /** Stable across retries of the same delivery: receivers deduplicate on it. */
  id: string;
  /** Unix seconds of this attempt. */
  timestamp: number;
  body: string | Buffer;
  /** Active secrets, newest first; during rotation both old and new sign. */
  secrets: readonly string[];
}

const toBuf = (b: string | Buffer) => (typeof b === 'string' ? Buffer.from(b, 'utf8') : b);

/** Standard Webhooks: base64 HMAC-SHA256 over `id.timestamp.body`. */
export function standardSignature(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secretKey(secret))
    .update(`${id}.${timestamp}.`)
    .update(toBuf(body))
    .digest('base64');
}

/** The product's own scheme: hex HMAC-SHA256 over `timestamp.body`. */
export function dphSignature(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secretKey(secret)).update(`${timestamp}.`).update(toBuf(body)).digest('hex');
}

/** Both schemes on every request, one signature per active secret, space-separated. */
export function signWebhook(input: SignInput): Record<string, string> {
  const { id, timestamp, body, secrets } = input;
  if (secrets.length === 0) throw new Error('signWebhook needs at least one secret');
  return {
    [HEADER.id]: id,
    [HEADER.timestamp]: String(timestamp),
    [HEADER.signature]: secrets.map((s) => `v1,${standardSignature(s, id, timestamp, body)}`).join(' '),
    [HEADER.dphEventId]: id,
    [HEADER.dphTimestamp]: String(timestamp),
    [HEADER.dphSignature]: secrets.map((s) => `sha256=${dphSignature(s, timestamp, body)}`).join(' '),
  };
}
