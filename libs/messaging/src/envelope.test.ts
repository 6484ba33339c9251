import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDphError } from '@dph/errors';
import { traceIdOf } from '@dph/telemetry';
import {
  makeEvent, parseEvent, parseEvents, encodeEvent, encodeEventBatch, isEventBatch, toOutgoing, MalformedEventError, assertAmqps,
  MAX_BATCH_EVENTS,
} from './index.js';

test('makeEvent builds a CloudEvents 1.0 structured event with a UUIDv7 id', () => {
  const e = makeEvent({ type: 'dph.job.queued', source: '/orchestrator-api', subject: 'job-1', data: { a: 1 } });
  assert.equal(e.specversion, '1.0');
  assert.match(e.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(e.datacontenttype, 'application/json');
  assert.ok(!Number.isNaN(Date.parse(e.time)));
  assert.deepEqual(parseEvent(encodeEvent(e)), e);
});

test('parseEvent refuses malformed envelopes with an unretryable typed error', () => {
  const good = makeEvent({ type: 't', source: 's', data: null });
  const cases: unknown[] = [
    'not json', '[]', { ...good, specversion: '0.3' }, { ...good, id: '' }, { ...good, source: undefined },
    { ...good, time: 'yesterday' }, { ...good, datacontenttype: 'text/plain' },
  ];
  for (const c of cases) {
    const body = typeof c === 'string' ? c : JSON.stringify(c);
    assert.throws(() => parseEvent(body), (e: unknown) => {
      assert.ok(e instanceof MalformedEventError && isDphError(e));
      assert.equal(e.retryable, false);
      assert.equal(e.code, 'malformed_event');
      return true;
    }, body);
  }
  const { data: _d, ...noData } = good;
  assert.throws(() => parseEvent(JSON.stringify(noData)), /data is required/);
});

test('toOutgoing carries the event id as message id and a valid traceparent header', () => {
  const e = makeEvent({ type: 't', source: 's', data: 1 });
  const m = toOutgoing(e, { exchange: 'dph.events', routingKey: 'job.queued', mandatory: true });
  assert.equal(m.messageId, e.id);
  assert.equal(m.mandatory, true);
  assert.ok(traceIdOf(m.headers.traceparent));
});

test('plaintext amqp:// is refused', () => {
  assert.throws(() => assertAmqps('amqp://u:p@localhost:5672'), (e: Error) => {
    assert.match(e.message, /plaintext AMQP is refused/);
    assert.doesNotMatch(e.message, /u:p/);
    return true;
  });
  assert.equal(assertAmqps('amqps://h:5671/v').hostname, 'h');
});

test('batch format: an array of structured events round-trips; a single event parses as a batch of one', () => {
  const events = [1, 2, 3].map((n) => makeEvent({ type: 'dph.audit.webhook_delivered', source: 's', data: { n } }));
  const body = encodeEventBatch(events);
  assert.equal(isEventBatch(body), true);
  assert.equal(isEventBatch(Buffer.from(' \n[')), true);
  assert.equal(isEventBatch(encodeEvent(events[0]!)), false);
  assert.deepEqual(parseEvents(body), events);
  assert.deepEqual(parseEvents(encodeEvent(events[0]!)), [events[0]]);
  assert.throws(() => encodeEventBatch([]), RangeError);
});

test('batch format: one bad event, an empty batch or an oversized one makes the whole message malformed', () => {
  const good = makeEvent({ type: 't', source: 's', data: null });
  const bad = [[good, { ...good, time: 'yesterday' }], [], Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => good), [good, 'x']];
  for (const b of bad) {
    assert.throws(() => parseEvents(Buffer.from(JSON.stringify(b))), (e: unknown) => e instanceof MalformedEventError && e.retryable === false);
  }
});
