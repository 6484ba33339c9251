import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import {
  buildVectors,
  generateSecret,
  signWebhook,
  verifyWebhook,
  WebhookVerificationError,
  type VectorFile,
} from '../src/index.js';

const vectors = JSON.parse(
  readFileSync(new URL('../test-vectors/vectors.json', import.meta.url), 'utf8'),
) as VectorFile;

test('committed vectors equal what the signer produces', () => {
  assert.deepEqual(vectors, buildVectors());
  assert.ok(vectors.cases.length >= 30);
});

for (const c of vectors.cases) {
  test(`vector: ${c.name}`, () => {
    const run = () =>
      verifyWebhook(c.headers, c.body, c.secrets, { now: c.now, toleranceSeconds: vectors.tolerance_seconds, scheme: c.scheme });
    if (c.expected.valid) {
      assert.equal(run().id, c.expected.id);
    } else {
      const reason = c.expected.reason;
      assert.throws(run, (e: unknown) => e instanceof WebhookVerificationError && e.reason === reason);
    }
  });
}

test('our Standard Webhooks headers verify with the standardwebhooks library, rotation included', () => {
  const oldSecret = generateSecret();
  const newSecret = generateSecret();
  const body = JSON.stringify({ type: 'job.failed', jobId: 'j1', errorCode: 'parse_failed' });
  const headers = signWebhook({
    id: 'evt_lib_check',
    timestamp: Math.floor(Date.now() / 1000),
    body,
    secrets: [newSecret, oldSecret],
  });
  for (const s of [newSecret, oldSecret]) {
    const parsed = new Webhook(s).verify(body, headers) as { jobId: string };
    assert.equal(parsed.jobId, 'j1');
  }
  assert.throws(() => new Webhook(generateSecret()).verify(body, headers));
  assert.throws(() => new Webhook(newSecret).verify(body + ' ', headers));
});

test('the library signer and ours agree byte for byte', () => {
  const secret = generateSecret();
  const ts = 1_767_225_600;
  const body = '{"a":1}';
  const ours = signWebhook({ id: 'evt_x', timestamp: ts, body, secrets: [secret] })['webhook-signature'];
  assert.equal(ours, new Webhook(secret).sign('evt_x', new Date(ts * 1000), body));
});

test('verification accepts a Headers object and header names in any case', () => {
  const secret = generateSecret();
  const ts = Math.floor(Date.now() / 1000);
  const h = signWebhook({ id: 'evt_y', timestamp: ts, body: 'x', secrets: [secret] });
  const upper = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v]));
  assert.equal(verifyWebhook(upper, 'x', [secret]).scheme, 'standard');
  const onlyDph = new Headers({ 'X-DPH-Event-Id': h['x-dph-event-id']!, 'X-DPH-Timestamp': h['x-dph-timestamp']!, 'X-DPH-Signature': h['x-dph-signature']! });
  assert.equal(verifyWebhook(onlyDph, 'x', [secret]).scheme, 'dph');
});
