import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { auditPayloadForFinding, containsPii, createEngine, ENTITY_TYPES, findPiiInValue } from '../src/index.js';

const ALLOWED = new Set(['entity_type', 'start', 'end', 'confidence', 'recognizer', 'path']);
const VALUES = ['4111 1111 1111 1111', 'john.doe@example.com', '13800138000', '11010519491231002X', '536-90-4399', '192.168.7.7'];
const pick = <T>(xs: readonly T[]): T => xs[randomInt(xs.length)]!;

/** A random finding-like object: real fields, random junk, and a value smuggled into every slot we can think of. */
function randomFinding(secret: string): Record<string, unknown> {
  const f: Record<string, unknown> = {
    type: randomInt(4) === 0 ? secret : pick(ENTITY_TYPES),
    start: pick([randomInt(1e6), -1, 1.5, secret, NaN, Infinity]),
    end: pick([randomInt(1e6), secret, null]),
    score: pick([Math.random(), 7, -3, secret, NaN]),
    recognizer: pick(['email_tld', 'cn_mobile_prefix', secret, 42]),
    path: pick([`$.customer.phone`, `$["${secret}"].x`, `$.${secret}`, `$.a[3]["${secret}"]`, `$.{key}`, secret, undefined]),
  };
  for (const k of ['value', 'text', 'match', 'original', 'snippet', 'raw', 'context', 'entity_value', randomBytes(4).toString('hex')])
    if (randomInt(2)) f[k] = secret;
  if (randomInt(3) === 0) f.toJSON = () => ({ value: secret });
  return f;
}

test('property: no value can pass through auditPayloadForFinding (2,000 random findings)', () => {
  for (let i = 0; i < 2000; i++) {
    const secret = pick(VALUES) + (randomInt(2) ? '' : randomBytes(3).toString('hex'));
    const payload = auditPayloadForFinding(randomFinding(secret));
    for (const k of Object.keys(payload)) assert.ok(ALLOWED.has(k), `unexpected key ${k}`);
    const json = JSON.stringify(payload);
    assert.ok(!json.includes(secret), `value leaked: ${json}`);
    assert.equal(containsPii(json), false, `payload looks like PII: ${json}`);
    assert.ok(Number.isInteger(payload.start) && Number.isInteger(payload.end));
    assert.ok(payload.confidence >= 0 && payload.confidence <= 1);
  }
});

test('a real finding maps to exactly the audit fields', () => {
  const [f] = createEngine().scanText('mail john.doe@example.com');
  assert.deepEqual(auditPayloadForFinding(f), { entity_type: 'EMAIL_ADDRESS', start: 5, end: 25, confidence: 1, recognizer: 'email_tld' });
  const [j] = createEngine().redactJson({ a: { b: ['x 13800138000'] } }).findings;
  assert.deepEqual(auditPayloadForFinding(j), { entity_type: 'CN_MOBILE', start: 2, end: 13, confidence: 0.85, recognizer: 'cn_mobile_prefix', path: '$.a.b[0]' });
  assert.deepEqual(auditPayloadForFinding(null), { entity_type: 'UNKNOWN', start: -1, end: -1, confidence: 0, recognizer: 'unknown' });
});

test('containsPii and findPiiInValue guard audit and log payloads', () => {
  assert.equal(containsPii('job 42 finished in 120 ms'), false);
  assert.equal(containsPii('user john.doe@example.com'), true);
  const hits = findPiiInValue({ event: 'pii_hit', payload: { entity_type: 'EMAIL_ADDRESS', start: 3, end: 9 }, note: 'call 13800138000' });
  assert.deepEqual(hits.map((h) => [h.entity_type, h.path]), [['CN_MOBILE', '$.note']]);
  assert.ok(!JSON.stringify(hits).includes('13800138000'));
});
