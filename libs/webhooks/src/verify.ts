import { timingSafeEqual } from 'node:crypto';
import { DphError } from '@dph/errors';
import { HEADER, dphSignature, standardSignature } from './sign.js';

export const VERIFY_FAILURES = [
  'missing_headers',
  'invalid_timestamp',
  'timestamp_too_old',
  'timestamp_too_new',
  'invalid_signature',
] as const;
export type VerifyFailure = (typeof VERIFY_FAILURES)[number];

export class WebhookVerificationError extends DphError {
  readonly reason: VerifyFailure;
  constructor(reason: VerifyFailure) {
    super('webhook_verification_failed', `webhook verification failed: ${reason}`, { status: 401, details: { reason } });
    this.name = 'WebhookVerificationError';
    this.reason = reason;
  }
}

export type Scheme = 'standard' | 'dph';

export interface VerifyOptions {
  /** Seconds either way; Standard Webhooks uses 5 minutes. */
  toleranceSeconds?: number;
  /** Unix seconds; tests and vectors pin it. */
  now?: number;
  /** Which scheme to check; by default Standard Webhooks when its headers are present, else the product's. */
  scheme?: Scheme;
}

export interface Verified {
  scheme: Scheme;
  id: string;
  timestamp: number;
}

type HeaderBag = Record<string, string | string[] | undefined> | Headers;

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : bag[key];
  return Array.isArray(v) ? v.join(' ') : v;
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function checkTimestamp(raw: string, opts: VerifyOptions): number {
  if (!/^\d{1,12}$/.test(raw)) throw new WebhookVerificationError('invalid_timestamp');
  const ts = Number(raw);
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const tol = opts.toleranceSeconds ?? 300;
  if (now - ts > tol) throw new WebhookVerificationError('timestamp_too_old');
  if (ts - now > tol) throw new WebhookVerificationError('timestamp_too_new');
  return ts;
}

/**
 * Verifies a delivery against the receiver's secrets (several during a rotation). Any listed signature matching
 * any secret passes; every comparison is constant-time. The body must be the raw bytes as received.
 */
export function verifyWebhook(
  headers: HeaderBag,
  body: string | Buffer,
  secrets: readonly string[],
  opts: VerifyOptions = {},
): Verified {
  const scheme: Scheme = opts.scheme ?? (header(headers, HEADER.signature) !== undefined ? 'standard' : 'dph');
  if (scheme === 'standard') {
    const id = header(headers, HEADER.id);
    const tsRaw = header(headers, HEADER.timestamp);
    const sigs = header(headers, HEADER.signature);
    if (!id || !tsRaw || !sigs) throw new WebhookVerificationError('missing_headers');
    const ts = checkTimestamp(tsRaw, opts);
    const given = sigs.split(/\s+/).filter((s) => s.startsWith('v1,')).map((s) => s.slice(3));
    for (const secret of secrets) {
      const expected = standardSignature(secret, id, ts, body);
      if (given.some((g) => constantTimeEqual(g, expected))) return { scheme, id, timestamp: ts };
    }
    throw new WebhookVerificationError('invalid_signature');
  }
  const id = header(headers, HEADER.dphEventId);
  const tsRaw = header(headers, HEADER.dphTimestamp);
  const sigs = header(headers, HEADER.dphSignature);
  if (!id || !tsRaw || !sigs) throw new WebhookVerificationError('missing_headers');
  const ts = checkTimestamp(tsRaw, opts);
  const given = sigs.split(/[\s,]+/).filter((s) => s.startsWith('sha256=')).map((s) => s.slice(7).toLowerCase());
  for (const secret of secrets) {
    const expected = dphSignature(secret, ts, body);
    if (given.some((g) => constantTimeEqual(g, expected))) return { scheme, id, timestamp: ts };
  }
  throw new WebhookVerificationError('invalid_signature');
}
