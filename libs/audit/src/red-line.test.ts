import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAuditPayload, type PiiScan } from './red-line.js';

// A stand-in for the PII engine, only to exercise the guard's plumbing; the real engine is wired in audit-writer.
const scan: PiiScan = (s) => (/@example\.com/.test(s) ? [{ type: 'EMAIL_ADDRESS' }] : []);

test('metadata-only payloads pass', () => {
  const payload = {
    entity_type: 'EMAIL_ADDRESS',
    start: 10,
    end: 27,
    confidence: 0.93,
    recognizer: 'email-address',
    engine: 'builtin',
    model_version: '1.2.0',
    duration_ms: 41,
    raw_key: 'raw/scene-a/2026/12/03/0d9a.pdf',
    pii_counts: { EMAIL_ADDRESS: 3, PHONE_NUMBER: 1 },
    secret_ref: 'vault:kv/dph/webhooks/abc',
    token_count: 512,
  };
  assert.deepEqual(checkAuditPayload(payload, scan), []);
});

test('value-carrying keys are refused whatever their type', () => {
  const v = checkAuditPayload({ hits: [{ entity_type: 'US_SSN', matched_text: 'x' }], value: 5, rawText: 'y' }, scan);
  assert.deepEqual(
    v.map((x) => [x.path, x.reason]),
    [
      ['$.hits[0].matched_text', 'value_key'],
      ['$.value', 'value_key'],
      ['$.rawText', 'value_key'],
    ],
  );
});

test('secrets are refused, references to them are not', () => {
  const v = checkAuditPayload({ secret: 'a', secret_key: 'b', api_key: 'c', password: 'd', secret_id: 'e' }, scan);
  assert.deepEqual(
    v.map((x) => x.path),
    ['$.secret', '$.secret_key', '$.api_key', '$.password'],
  );
});

test('entity-named keys may hold counts but not strings or long numbers', () => {
  assert.deepEqual(checkAuditPayload({ email: 2 }, scan), []);
  assert.equal(checkAuditPayload({ email: 'someone' }, scan)[0]?.reason, 'entity_key');
  assert.equal(checkAuditPayload({ phone: 13812345678 }, scan)[0]?.reason, 'entity_key');
});

test('strings and keys recognised by the PII engine are refused without echoing them', () => {
  const v = checkAuditPayload({ note: 'contact a.b@example.com', nested: { 'x@example.com': 1 } }, scan);
  assert.deepEqual(v, [
    { path: '$.note', reason: 'pii_value', entityType: 'EMAIL_ADDRESS' },
    { path: '$.nested[?]', reason: 'pii_key', entityType: 'EMAIL_ADDRESS' },
  ]);
  assert.ok(!JSON.stringify(v).includes('example.com'));
});

test('long strings and deep nesting are refused', () => {
  assert.equal(checkAuditPayload({ note: 'a'.repeat(600) })[0]?.reason, 'long_string');
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 10; i++) deep = { n: deep };
  assert.ok(checkAuditPayload(deep).some((x) => x.reason === 'too_deep'));
});

test('our own identifiers pass even when their digits look like a phone number to the PII engine', async () => {
  const { createEngine, defaultPolicy } = await import('@dph/pii');
  const engine = createEngine(defaultPolicy());
  const real: PiiScan = (s) => engine.scanText(s);
  // Found by scanning random UUIDs with the real engine: these read as phone numbers.
  const ids = ['08712524-5035-4ce0-8455-ceff14905dc7', '01580899-2498-4cb5-9a96-fb43f9b22f3a'];
  for (const id of ids) assert.ok(real(id).length > 0, `the engine reads ${id} as PII`);
  assert.deepEqual(checkAuditPayload({ deliveryId: ids[0], eventId: ids[1], statusCode: 204 }, real), []);
  // Anything else that merely contains such digits is still scanned.
  assert.equal(checkAuditPayload({ note: `call ${ids[0]!.slice(0, 18)}` }, real)[0]?.reason, 'pii_value');
});
