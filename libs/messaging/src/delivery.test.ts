// Unit test of the ack/nack decisions with a recording stand-in for the channel; the broker-level behaviour
// (DLQ routing, delivery limit) is proven against RabbitMQ in test/broker.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Channel, Message } from 'amqplib';
import { DphError } from '@dph/errors';
import { traceIdOf } from '@dph/telemetry';
import { handleDelivery, makeEvent, encodeEvent, MemoryDeduper, nullLogger } from './index.js';

function recorder() {
  const calls: string[] = [];
  const ch = {
    ack: () => calls.push('ack'),
    nack: (_m: Message, _all: boolean, requeue: boolean) => calls.push(requeue ? 'requeue' : 'dead-letter'),
  } as unknown as Channel;
  return { ch, calls };
}
const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
function message(body: Buffer, headers: Record<string, unknown> = { traceparent: tp }): Message {
  return {
    content: body,
    fields: { deliveryTag: 1, redelivered: false, exchange: 'x', routingKey: 'k' },
    properties: { headers },
  } as unknown as Message;
}
const base = { queue: 'q', logger: nullLogger, retryDelayMs: () => 0 };

test('handler success acks after the handler ran, inside the message trace', async () => {
  const { ch, calls } = recorder();
  const event = makeEvent({ type: 't', source: 's', data: { n: 1 } });
  let seenTrace = '';
  const outcome = await handleDelivery(ch, message(encodeEvent(event)), {
    ...base, handler: async (e, ctx) => { calls.push('handler'); assert.deepEqual(e.data, { n: 1 }); seenTrace = ctx.traceparent; },
  });
  assert.equal(outcome, 'ack');
  assert.deepEqual(calls, ['handler', 'ack']);
  assert.equal(traceIdOf(seenTrace), '0af7651916cd43dd8448eb211c80319c');
});

test('unretryable error dead-letters, retryable and unknown errors requeue, malformed dead-letters', async () => {
  const event = encodeEvent(makeEvent({ type: 't', source: 's', data: 1 }));
  const cases: [() => never, string][] = [
    [() => { throw new DphError('unsupported_type', 'x', { retryable: false }); }, 'dead-letter'],
    [() => { throw new DphError('engine_unavailable', 'x', { retryable: true }); }, 'requeue'],
    [() => { throw new Error('driver exploded'); }, 'requeue'],
  ];
  for (const [fail, expected] of cases) {
    const { ch, calls } = recorder();
    await handleDelivery(ch, message(event), { ...base, handler: async () => fail() });
    assert.deepEqual(calls, [expected]);
  }
  const { ch, calls } = recorder();
  let called = false;
  assert.equal(await handleDelivery(ch, message(Buffer.from('{nope')), { ...base, handler: async () => { called = true; } }), 'malformed');
  assert.deepEqual(calls, ['dead-letter']);
  assert.equal(called, false);
});

test('dedupe: a second delivery of the same event id is acked without calling the handler', async () => {
  const dedupe = new MemoryDeduper(10);
  const body = encodeEvent(makeEvent({ type: 't', source: 's', data: 1 }));
  let runs = 0;
  const opts = { ...base, dedupe, handler: async () => { runs++; } };
  const a = recorder();
  assert.equal(await handleDelivery(a.ch, message(body), opts), 'ack');
  const b = recorder();
  assert.equal(await handleDelivery(b.ch, message(body), opts), 'duplicate');
  assert.equal(runs, 1);
  assert.deepEqual(b.calls, ['ack']);
});

test('a failed handler is not remembered by the deduper', async () => {
  const dedupe = new MemoryDeduper(10);
  const body = encodeEvent(makeEvent({ type: 't', source: 's', data: 1 }));
  await handleDelivery(recorder().ch, message(body), { ...base, dedupe, handler: async () => { throw new Error('x'); } });
  let runs = 0;
  await handleDelivery(recorder().ch, message(body), { ...base, dedupe, handler: async () => { runs++; } });
  assert.equal(runs, 1);
});

test('memory deduper evicts the least recently used ids', () => {
  const d = new MemoryDeduper(2);
  d.remember('a'); d.remember('b'); d.remember('c');
  assert.equal(d.seen('a'), false);
  assert.equal(d.seen('c'), true);
});

test('delivery metrics count outcomes per configured queue', async () => {
  const { createRegistry } = await import('@dph/telemetry');
  const { deliveryMetrics } = await import('./index.js');
  const reg = createRegistry('m', { defaultMetrics: false });
  const count = deliveryMetrics(reg, ['q']);
  const body = encodeEvent(makeEvent({ type: 't', source: 's', data: 1 }));
  await handleDelivery(recorder().ch, message(body), { ...base, handler: async () => {}, onOutcome: (o) => count(o, 'q') });
  await handleDelivery(recorder().ch, message(Buffer.from('x')), { ...base, handler: async () => {}, onOutcome: (o) => count(o, 'q') });
  const text = await reg.metrics();
  assert.match(text, /dph_amqp_deliveries_total\{queue="q",outcome="ack",service="m"\} 1/);
  assert.match(text, /dph_amqp_deliveries_total\{queue="q",outcome="malformed",service="m"\} 1/);
});
