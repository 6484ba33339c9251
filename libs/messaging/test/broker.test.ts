// Against the RabbitMQ of the local stack (TLS only): `npm run stack -- up` first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Channel } from 'amqplib';
import { EXCHANGES, QUEUES, dlqName, parseRoutingKey } from '@dph/contracts';
import { DphError } from '@dph/errors';
import { traceIdOf, withExtractedContext } from '@dph/telemetry';
import { requireStack, stackEnv } from '@dph/testkit';
import {
  connectAmqp, declareTopology, declareQueue, declareParseZone, ConfirmPublisher, consume, consumeBands,
  makeEvent, toOutgoing, parseEvent, MemoryDeduper, type AmqpConnection,
} from '../src/index.js';

requireStack();
const env = stackEnv();
const tls = { url: env.DPH_AMQP_URL!, caFile: env.DPH_TLS_CA_FILE!, clientCertFile: env.DPH_TLS_CLIENT_CERT_FILE, clientKeyFile: env.DPH_TLS_CLIENT_KEY_FILE };
const run = randomBytes(4).toString('hex');
const created: string[] = [];
let conn: AmqpConnection;
let admin: Channel;
let publisher: ConfirmPublisher;

before(async () => {
  conn = await connectAmqp({ ...tls, connectionName: `messaging-test-${run}`, setup: (ch) => declareTopology(ch) });
  admin = await conn.createChannel();
  publisher = new ConfirmPublisher(conn);
});
after(async () => {
  for (const q of created) {
    await admin.deleteQueue(q).catch(() => {});
    await admin.deleteQueue(dlqName(q)).catch(() => {});
  }
  await publisher.close();
  await admin.close().catch(() => {});
  await conn.close();
});

async function testQueue(suffix: string, limit = 5): Promise<{ queue: string; key: string }> {
  const queue = `dph.test.${run}.${suffix}`;
  const key = `test.${run}.${suffix}`;
  created.push(queue);
  await declareQueue(admin, queue, [{ exchange: EXCHANGES.events, routingKey: key }], { deliveryLimit: limit });
  return { queue, key };
}

async function publishEvent(key: string, data: unknown, exchange: string = EXCHANGES.events) {
  const event = makeEvent({ type: 'dph.test', source: '/messaging-test', subject: 'job-x', data });
  await publisher.publish(toOutgoing(event, { exchange, routingKey: key }));
  return event;
}

async function waitFor<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('TLS: a wrong server name fails certificate verification', async () => {
  await assert.rejects(connectAmqp({ ...tls, servername: 'not-the-broker.invalid', recovery: { initialMaxRetries: 0 } }));
});

test('topology declares idempotently, with quorum queues and DLQs', async () => {
  await declareTopology(admin);
  await declareTopology(admin);
  const names = await declareParseZone(admin, `t${run}`, ['public', 'internal']);
  await declareParseZone(admin, `t${run}`, ['public', 'internal']);
  created.push(...names);
  assert.deepEqual(names, ['high', 'normal', 'low'].map((b) => `dph.parse.t${run}.${b}`));
  for (const q of names) {
    await admin.checkQueue(q);
    await admin.checkQueue(dlqName(q));
  }
  await admin.checkQueue(QUEUES.unrouted);
});

test('confirm publisher resolves after the broker confirm; mandatory + unroutable rejects', async () => {
  const { queue, key } = await testQueue('confirm');
  const event = await publishEvent(key, { hello: 'world' });
  const got = await waitFor(() => admin.get(queue, { noAck: true }), 'the confirmed message');
  assert.equal(parseEvent(got.content).id, event.id);
  assert.equal(got.properties.messageId, event.id);
  const lost = makeEvent({ type: 'dph.test', source: '/t', data: 1 });
  await assert.rejects(
    publisher.publish(toOutgoing(lost, { exchange: EXCHANGES.events, routingKey: `nobody.${run}`, mandatory: true })),
    (e: DphError) => e.code === 'message_unroutable' && e.retryable === false,
  );
});

test('a parse task no zone accepts lands in dph.jobs.unrouted (alternate exchange)', async () => {
  // A private queue beside the shared dph.jobs.unrouted on the same fanout, so the test does not take others' messages.
  const probe = `dph.test.${run}.unrouted-probe`;
  created.push(probe);
  await declareQueue(admin, probe, [{ exchange: EXCHANGES.unrouted, routingKey: '' }]);
  const event = makeEvent({ type: 'dph.parse', source: '/t', data: 1 });
  await publisher.publish(toOutgoing(event, { exchange: EXCHANGES.jobs, routingKey: parseRoutingKey('restricted', 'high') + `.nozone${run}`, mandatory: true }));
  const got = await waitFor(() => admin.get(probe, { noAck: true }), 'the unrouted task');
  assert.equal(got.properties.messageId, event.id);
  assert.equal(got.fields.exchange, EXCHANGES.jobs);
});

test('poison message (unretryable) goes straight to <queue>.dlq; traceparent round-trips', async () => {
  const { queue, key } = await testQueue('poison');
  const tp = '00-5e1a3c6f9d2b4a7e8c0f1b2d3e4f5a6b-1a2b3c4d5e6f7a8b-01';
  let calls = 0;
  let handlerTrace: string | null = null;
  const consumer = await consume({
    connection: conn, queue, prefetch: 4,
    handler: async (_e, ctx) => {
      calls++;
      handlerTrace = traceIdOf(ctx.traceparent);
      throw new DphError('unsupported_type', 'not a document we parse', { retryable: false });
    },
  });
  const event = await withExtractedContext({ traceparent: tp }, () => publishEvent(key, { n: 1 }));
  const dead = await waitFor(() => admin.get(dlqName(queue), { noAck: true }), 'the DLQ copy');
  await consumer.cancel();
  assert.equal(parseEvent(dead.content).id, event.id);
  assert.equal(calls, 1, 'no retries for an unretryable failure');
  assert.equal(handlerTrace, '5e1a3c6f9d2b4a7e8c0f1b2d3e4f5a6b');
  assert.equal(traceIdOf(dead.properties.headers?.traceparent), '5e1a3c6f9d2b4a7e8c0f1b2d3e4f5a6b');
});

test('a retryable failure is retried, then dead-lettered once the delivery limit is reached', async () => {
  const limit = 2;
  const { queue, key } = await testQueue('retry', limit);
  let calls = 0;
  const consumer = await consume({
    connection: conn, queue, prefetch: 1, retryDelayMs: () => 10,
    handler: async () => { calls++; throw new DphError('engine_unavailable', 'try later', { retryable: true }); },
  });
  const event = await publishEvent(key, { n: 2 });
  const dead = await waitFor(() => admin.get(dlqName(queue), { noAck: true }), 'dead-lettering after the limit');
  await consumer.cancel();
  assert.equal(parseEvent(dead.content).id, event.id);
  assert.ok(calls >= limit && calls <= limit + 1, `handled ${calls} times with limit ${limit}`);
  const q = await admin.checkQueue(queue);
  assert.equal(q.messageCount, 0, 'not left looping in the source queue');
});

test('malformed envelope goes to the DLQ; duplicates by event id are handled once', async () => {
  const { queue, key } = await testQueue('dedupe');
  const seen: string[] = [];
  const consumer = await consume({
    connection: conn, queue, prefetch: 2, dedupe: new MemoryDeduper(),
    handler: async (e) => { seen.push(e.id); },
  });
  const ch = await conn.createConfirmChannel();
  ch.publish(EXCHANGES.events, key, Buffer.from('{"not":"a cloudevent"}'), { persistent: true });
  const event = makeEvent({ type: 'dph.test', source: '/t', data: 1 });
  await publisher.publish(toOutgoing(event, { exchange: EXCHANGES.events, routingKey: key }));
  await publisher.publish(toOutgoing(event, { exchange: EXCHANGES.events, routingKey: key }));
  await ch.waitForConfirms();
  await ch.close();
  await waitFor(() => admin.get(dlqName(queue), { noAck: true }), 'the malformed message in the DLQ');
  await waitFor(async () => (await admin.checkQueue(queue)).messageCount === 0 && seen.length >= 1, 'both copies consumed');
  await new Promise((r) => setTimeout(r, 200));
  await consumer.cancel();
  assert.deepEqual(seen, [event.id]);
});

test('cancel() waits for the in-flight handler, which then acks', async () => {
  const { queue, key } = await testQueue('drain');
  let release!: () => void;
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  let finished = false;
  const consumer = await consume({
    connection: conn, queue, prefetch: 1,
    handler: async () => { started(); await new Promise<void>((r) => (release = r)); finished = true; },
  });
  await publishEvent(key, 1);
  await running;
  const cancelling = consumer.cancel();
  setTimeout(() => release(), 100);
  await cancelling;
  assert.equal(finished, true);
  assert.equal((await admin.checkQueue(queue)).messageCount, 0, 'acked, not requeued');
});

test('coalesced acks: a batch settled together and one slow handler out of order; all acked, none redelivered', async () => {
  const { queue, key } = await testQueue('acks');
  const total = 300;
  const handled: number[] = [];
  let releaseBatch!: () => void;
  const batch = new Promise<void>((r) => (releaseBatch = r));
  let releaseSlow!: () => void;
  const slow = new Promise<void>((r) => (releaseSlow = r));
  const consumer = await consume<{ n: number }>({
    connection: conn, queue, prefetch: total,
    // Message 10 is still being handled while every other one settles (a batch commit resolving them together).
    handler: async (e) => {
      await (e.data.n === 10 ? slow : batch);
      handled.push(e.data.n);
    },
  });
  for (let n = 0; n < total; n++) await publishEvent(key, { n });
  await waitFor(async () => (await admin.checkQueue(queue)).messageCount === 0 || undefined, 'all delivered');
  releaseBatch();
  await waitFor(async () => handled.length === total - 1 || undefined, 'the batch handled');
  releaseSlow();
  await waitFor(async () => handled.length === total || undefined, 'the slow one handled');
  await consumer.cancel();
  assert.equal((await admin.checkQueue(queue)).messageCount, 0, 'nothing was left unacked and requeued at close');
  const again: number[] = [];
  const second = await consume<{ n: number }>({ connection: conn, queue, prefetch: 10, handler: async (e) => void again.push(e.data.n) });
  await new Promise((r) => setTimeout(r, 500));
  await second.cancel();
  assert.deepEqual(again, [], 'no message came back');
  assert.equal(new Set(handled).size, total);
});

test('broker-side cancel (queue deleted) makes the consumer unhealthy, and it re-subscribes', async () => {
  const { queue, key } = await testQueue('broker-cancel');
  const got: string[] = [];
  const consumer = await consume({ connection: conn, queue, prefetch: 1, handler: async (e) => { got.push(e.id); } });
  assert.equal(consumer.healthy(), true);
  await admin.deleteQueue(queue);
  await waitFor(async () => !consumer.healthy(), 'the consumer to notice the cancel');
  await declareQueue(admin, queue, [{ exchange: EXCHANGES.events, routingKey: key }]);
  await waitFor(async () => consumer.healthy(), 're-subscription', 20_000);
  const e = await publishEvent(key, 1);
  await waitFor(async () => got.includes(e.id), 'delivery after re-subscribe');
  await consumer.cancel();
});

test('band consumer always takes the highest non-empty band first', async () => {
  const zone = `b${run}`;
  const queues = await declareParseZone(admin, zone, ['internal']);
  created.push(...queues);
  const order: string[] = [];
  // Fill the bands before any consumer exists: low first, so arrival order is the opposite of priority.
  for (const [band, n] of [['low', 3], ['normal', 3], ['high', 3]] as const) {
    for (let i = 0; i < n; i++) {
      const ev = makeEvent({ type: 'dph.parse', source: '/t', data: `${band}-${i}` });
      await publisher.publish(toOutgoing(ev, { exchange: EXCHANGES.jobs, routingKey: parseRoutingKey('internal', band), mandatory: true }));
    }
  }
  let lateHighSent = false;
  const consumer = await consumeBands<string>({
    connection: conn, queues, concurrency: 1,
    handler: async (e) => {
      order.push(e.data);
      if (order.length === 4 && !lateHighSent) {
        // A high task arriving while normal work is queued must overtake it.
        lateHighSent = true;
        const ev = makeEvent({ type: 'dph.parse', source: '/t', data: 'high-late' });
        await publisher.publish(toOutgoing(ev, { exchange: EXCHANGES.jobs, routingKey: parseRoutingKey('internal', 'high'), mandatory: true }));
      }
    },
  });
  await waitFor(async () => order.length === 10, 'all ten tasks');
  await consumer.cancel();
  assert.deepEqual(order, [
    'high-0', 'high-1', 'high-2', 'normal-0', 'high-late', 'normal-1', 'normal-2', 'low-0', 'low-1', 'low-2',
  ]);
});

test('consume() on a missing queue rejects and does not keep retrying in the background', async () => {
  const missing = `dph.test.${run}.does-not-exist`;
  await assert.rejects(consume({ connection: conn, queue: missing, prefetch: 1, handler: async () => {} }));
  await new Promise((r) => setTimeout(r, 600));
  // Declaring it now must not be picked up by a zombie consumer from the failed call.
  created.push(missing);
  await declareQueue(admin, missing, []);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal((await admin.checkQueue(missing)).consumerCount, 0);
});

test('confirm publisher rejects when the broker nacks (full queue with reject-publish overflow)', async () => {
  const queue = `dph.test.${run}.full`;
  const key = `test.${run}.full`;
  created.push(queue);
  await admin.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
  await admin.bindQueue(queue, EXCHANGES.events, key);
  // Quorum queues enforce the limit once it is reached, so the rejection comes within the first few publishes.
  let refused: DphError | undefined;
  for (let i = 0; i < 5 && !refused; i++) {
    await publishEvent(key, i).catch((e: DphError) => { refused = e; });
  }
  assert.ok(refused, 'a publish into the full queue was refused');
  assert.equal(refused.code, 'message_nacked');
  assert.equal(refused.retryable, true);
  assert.ok((await admin.checkQueue(queue)).messageCount <= 2);
});
