import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, judgeResponse, parseRetryAfter, DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { eventSeq } from './payload.js';

const p = DEFAULT_RETRY_POLICY;

test('status etiquette', () => {
  assert.deepEqual(judgeResponse(200, undefined, p), { kind: 'success' });
  assert.deepEqual(judgeResponse(204, undefined, p), { kind: 'success' });
  assert.deepEqual(judgeResponse(410, undefined, p), { kind: 'gone' });
  assert.deepEqual(judgeResponse(302, undefined, p), { kind: 'retry' });
  assert.deepEqual(judgeResponse(400, undefined, p), { kind: 'retry' });
  assert.deepEqual(judgeResponse(429, '30', p), { kind: 'retry', retryAfterMs: 30_000 });
  assert.deepEqual(judgeResponse(503, '999999', p), { kind: 'retry', retryAfterMs: p.retryAfterCapMs });
  assert.deepEqual(judgeResponse(500, '30', p), { kind: 'retry' }); // only 429/503 carry a schedule
  assert.deepEqual(judgeResponse(503, 'soon', p), { kind: 'retry' });
});

test('Retry-After as HTTP-date', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now), 60_000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
});

test('backoff doubles with jitter inside [step/2, step], capped', () => {
  const lo = () => 0;
  const hi = () => 0.999999;
  assert.equal(backoffMs(1, p, lo), p.baseDelayMs / 2);
  assert.ok(backoffMs(1, p, hi) <= p.baseDelayMs);
  assert.equal(backoffMs(3, p, lo), (p.baseDelayMs * 4) / 2);
  assert.ok(backoffMs(40, p, hi) <= p.maxDelayMs);
});

test('event order follows the job state machine', () => {
  assert.ok(eventSeq('queued') < eventSeq('parsing'));
  assert.ok(eventSeq('parsing') < eventSeq('postproc'));
  assert.ok(eventSeq('postproc') < eventSeq('succeeded'));
  assert.equal(eventSeq('failed'), eventSeq('cancelled'));
});
