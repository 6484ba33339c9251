import { signWebhook } from './sign.js';

/**
 * Builds the shared test vectors (test-vectors/vectors.json). The TypeScript, Python and Go verifiers all run
 * them; a test checks the committed file equals what this function produces, so signer and vectors cannot drift.
 */
export interface VectorCase {
  name: string;
  scheme: 'standard' | 'dph';
  secrets: string[];
  headers: Record<string, string>;
  body: string;
  now: number;
  expected: { valid: true; id: string } | { valid: false; reason: string };
}

export interface VectorFile {
  description: string;
  tolerance_seconds: number;
  cases: VectorCase[];
}

// Fixed, published test secrets (never used anywhere else).
const SECRET_A = 'whsec_ZHBoLXRlc3QtdmVjdG9yLXNlY3JldC1hLTMyYnl0ZSE=';
const SECRET_B = 'whsec_dGVzdC12ZWN0b3Itc2VjcmV0LWItMzJieXRlcyE=';
const SECRET_C = 'whsec_d3Jvbmctc2VjcmV0LW5vdC11c2VkLWZvci1zaWduaW5n';
const TS = 1_767_225_600; // 2026-01-01T00:00:00Z
const ID = 'evt_2f1c6a0e-8d3b-4a51-9a57-1b0c3f7d9e42';
const BODY =
  '{"type":"job.succeeded","jobId":"0b8f3a52-7c1e-4f7a-9d2e-5a6b7c8d9e0f","status":"succeeded","businessRef":"inv-2026-001","tenantScene":"finance","occurredAt":"2026-01-01T00:00:00.000Z"}';

function pick(h: Record<string, string>, scheme: 'standard' | 'dph'): Record<string, string> {
  const keys =
    scheme === 'standard'
      ? ['webhook-id', 'webhook-timestamp', 'webhook-signature']
      : ['x-dph-event-id', 'x-dph-timestamp', 'x-dph-signature'];
  return Object.fromEntries(keys.map((k) => [k, h[k]!]));
}

export function buildVectors(): VectorFile {
  const cases: VectorCase[] = [];
  const add = (
    name: string,
    scheme: 'standard' | 'dph',
    sign: { secrets: string[]; ts?: number; body?: string; id?: string },
    verify: { secrets: string[]; now?: number; body?: string; mutate?: (h: Record<string, string>) => void },
    expected: VectorCase['expected'],
  ) => {
    const h = pick(
      signWebhook({ id: sign.id ?? ID, timestamp: sign.ts ?? TS, body: sign.body ?? BODY, secrets: sign.secrets }),
      scheme,
    );
    verify.mutate?.(h);
    cases.push({ name, scheme, secrets: verify.secrets, headers: h, body: verify.body ?? sign.body ?? BODY, now: verify.now ?? TS, expected });
  };
  const ok = { valid: true as const, id: ID };
  const bad = (reason: string) => ({ valid: false as const, reason });
  for (const scheme of ['standard', 'dph'] as const) {
    add(`${scheme}: valid`, scheme, { secrets: [SECRET_A] }, { secrets: [SECRET_A] }, ok);
    add(`${scheme}: valid at the edge of the tolerance (past)`, scheme, { secrets: [SECRET_A] }, { secrets: [SECRET_A], now: TS + 300 }, ok);
    add(`${scheme}: valid at the edge of the tolerance (future)`, scheme, { secrets: [SECRET_A] }, { secrets: [SECRET_A], now: TS - 300 }, ok);
    add(`${scheme}: tampered body`, scheme, { secrets: [SECRET_A] }, { secrets: [SECRET_A], body: BODY.replace('succeeded', 'failed') }, bad('invalid_signature'));
    add(`${scheme}: wrong secret`, scheme, { secrets: [SECRET_A] }, { secrets: [SECRET_C] }, bad('invalid_signature'));
    add(`${scheme}: expired`, scheme, { secrets: [SECRET_A] }, { secrets: [SECRET_A], now: TS + 301 }, bad('timestamp_too_old'));
    add(`${scheme}: from the future`, scheme, { secrets: [SECRET_A] }, { secrets: [SECRET_A], now: TS - 301 }, bad('timestamp_too_new'));
    add(`${scheme}: rotated, receiver still has the old secret`, scheme, { secrets: [SECRET_B, SECRET_A] }, { secrets: [SECRET_A] }, ok);
    add(`${scheme}: rotated, receiver already has the new secret`, scheme, { secrets: [SECRET_B, SECRET_A] }, { secrets: [SECRET_B] }, ok);
    add(`${scheme}: receiver holds several secrets, one matches`, scheme, { secrets: [SECRET_B] }, { secrets: [SECRET_C, SECRET_B] }, ok);
    add(`${scheme}: after the grace period only the new secret signs`, scheme, { secrets: [SECRET_B] }, { secrets: [SECRET_A] }, bad('invalid_signature'));
    add(`${scheme}: timestamp header tampered`, scheme, { secrets: [SECRET_A] }, {
      secrets: [SECRET_A], mutate: (h) => { h[scheme === 'standard' ? 'webhook-timestamp' : 'x-dph-timestamp'] = String(TS + 1); },
    }, bad('invalid_signature'));
    add(`${scheme}: timestamp not a number`, scheme, { secrets: [SECRET_A] }, {
      secrets: [SECRET_A], mutate: (h) => { h[scheme === 'standard' ? 'webhook-timestamp' : 'x-dph-timestamp'] = '2026-01-01T00:00:00Z'; },
    }, bad('invalid_timestamp'));
    add(`${scheme}: signature header missing`, scheme, { secrets: [SECRET_A] }, {
      secrets: [SECRET_A], mutate: (h) => { delete h[scheme === 'standard' ? 'webhook-signature' : 'x-dph-signature']; },
    }, bad('missing_headers'));
    add(`${scheme}: non-ASCII UTF-8 body`, scheme, { secrets: [SECRET_A], body: '{"businessRef":"发票-2026-ü"}' }, { secrets: [SECRET_A] }, ok);
    add(`${scheme}: empty body`, scheme, { secrets: [SECRET_A], body: '' }, { secrets: [SECRET_A] }, ok);
  }
  add('standard: id header tampered', 'standard', { secrets: [SECRET_A] }, { secrets: [SECRET_A], mutate: (h) => { h['webhook-id'] = 'evt_other'; } }, { valid: false, reason: 'invalid_signature' });
  add('standard: unknown signature version only', 'standard', { secrets: [SECRET_A] }, {
    secrets: [SECRET_A], mutate: (h) => { h['webhook-signature'] = h['webhook-signature']!.replace('v1,', 'v2,'); },
  }, { valid: false, reason: 'invalid_signature' });
  add('dph: signature without sha256= prefix', 'dph', { secrets: [SECRET_A] }, {
    secrets: [SECRET_A], mutate: (h) => { h['x-dph-signature'] = h['x-dph-signature']!.replace('sha256=', ''); },
  }, { valid: false, reason: 'invalid_signature' });
  return {
    description:
      'Shared webhook verification vectors. secrets are whsec_<base64>; the HMAC key is the decoded base64. ' +
      'standard: base64 HMAC-SHA256(key, id + "." + timestamp + "." + body) as "v1,<sig>" (space-separated list). ' +
      'dph: hex HMAC-SHA256(key, timestamp + "." + body) as "sha256=<hex>" (space-separated list). ' +
      'Verify each case at unix time `now` with the given tolerance; body is the exact UTF-8 string.',
    tolerance_seconds: 300,
    cases,
  };
}
