import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { caCert, requireStack, stackEnv } from '@dph/testkit';
import { DphError } from '@dph/errors';
import type { ConfirmedPublisher } from '@dph/contracts';
import { createClient, enqueueOutboxMany, OutboxRelay, type OutboxRelayOptions, outboxBacklog, withTransaction, cleanupOutbox, type Pool } from '../src/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../src/testing/index.js';
import { connectTestPublisher } from './support/amqp-publisher.js';

let db: ScratchDatabase;
let admin: Pool;
let conn: amqp.ChannelModel;
let ch: amqp.Channel;
const exchange = `dph.test.outbox.${process.pid}`;
const queue = `dph.test.outbox.${process.pid}`;

before(async () => {
  requireStack();
  db = await createScratchDatabase();
  admin = db.pool('admin');
  conn = await amqp.connect(stackEnv().DPH_AMQP_URL!, { ca: [caCert()] });
  ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'fanout', { durable: false, autoDelete: false });
  await ch.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(queue, exchange, '');
});
after(async () => {
  await ch?.deleteQueue(queue).catch(() => undefined);
  await ch?.deleteExchange(exchange).catch(() => undefined);
  await conn?.close().catch(() => undefined);
  await db?.drop();
});

const published = async () =>
  Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE published_at IS NOT NULL')).rows[0]!.n);

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

function startRelay(): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', fileURLToPath(new URL('./support/relay-child.ts', import.meta.url))],
    { env: { ...process.env, ...db.env('orchestrator-api'), RELAY_BATCH: '100' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return child;
}

/** Drains the test queue and returns every event id received (duplicates included). */
async function drain(expectedDistinct: number, timeoutMs: number): Promise<string[]> {
  const ids: string[] = [];
  const distinct = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${distinct.size} distinct of ${expectedDistinct}`)), timeoutMs);
    void ch.consume(queue, (msg) => {
      if (!msg) return;
      ids.push(msg.properties.messageId as string);
      distinct.add(msg.properties.messageId as string);
      ch.ack(msg);
      if (distinct.size === expectedDistinct) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  // Whatever else is queued (late duplicates) is counted too.
  await new Promise((r) => setTimeout(r, 500));
  return ids;
}

test('relay SIGKILLed mid-backlog: after a restart every row is published and marked, none lost', async () => {
  const total = 2000;
  const ids = Array.from({ length: total }, () => randomUUID());
  const writer = db.pool('orchestrator-api');
  for (let i = 0; i < total; i += 500) {
    await withTransaction(writer, (c) =>
      enqueueOutboxMany(c, ids.slice(i, i + 500).map((eventId) => ({
        eventId, exchange, routingKey: 'test', body: { id: eventId }, headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      }))),
    );
  }
  const first = startRelay();
  await waitFor(async () => (await published()) >= 300, 30_000);
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const atKill = await published();
  assert.ok(atKill < total, `the kill came after the whole backlog (${atKill})`);

  const second = startRelay();
  try {
    await waitFor(async () => (await published()) === total, 60_000);
  } finally {
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  }
  const received = await drain(total, 30_000);
  const distinct = new Set(received);
  assert.equal(distinct.size, total);
  for (const id of ids) assert.ok(distinct.has(id));
  const b = await outboxBacklog(admin);
  assert.deepEqual([b.pending, b.parked], [0, 0]);
  console.log(`outbox crash test: ${total} rows, ${atKill} marked at SIGKILL, ${received.length} deliveries, ${received.length - total} duplicates`);
});

test('a NOTIFY wakes the relay long before its poll; the API role cannot delete a pending row', async () => {
  const publisher = await connectTestPublisher();
  const pool = db.pool('worker-postproc');
  const relay = new OutboxRelay({
    pool,
    publisher,
    listenClient: () => createClient(db.settings('worker-postproc')),
    pollIntervalMs: 120_000,
  });
  relay.start();
  try {
    // First pass (on start) finds nothing; from here only a NOTIFY can wake it within the wait below.
    await new Promise((r) => setTimeout(r, 1000));
    const eventId = randomUUID();
    await withTransaction(pool, (c) => enqueueOutboxMany(c, [{ eventId, exchange, routingKey: 't', body: { eventId } }]));
    const api = db.pool('orchestrator-api');
    const del = await api.query('DELETE FROM outbox WHERE event_id = $1 AND published_at IS NULL', [eventId]);
    assert.equal(del.rowCount, 0);
    await waitFor(
      async () => (await admin.query('SELECT 1 FROM outbox WHERE event_id = $1 AND published_at IS NOT NULL', [eventId])).rowCount === 1,
      15_000,
    );
  } finally {
    await relay.stop();
    await publisher.close();
  }
});

/** A started relay that only a NOTIFY can wake within a test (its poll is two minutes), counting its batches. */
function listeningRelay(pool: Pool, publisher: ConfirmedPublisher, extra: Partial<OutboxRelayOptions> = {}) {
  let n = 0;
  const relay = new OutboxRelay({
    pool,
    publisher,
    listenClient: () => createClient(db.settings('worker-postproc')),
    pollIntervalMs: 120_000,
    metrics: { batchDurationMs: () => n++ },
    ...extra,
  });
  relay.start();
  return { relay, batches: () => n };
}

test("another process's NOTIFY does not wake the relay (its own relay's job); the poll still takes the row", async () => {
  const publisher = await connectTestPublisher();
  const pool = db.pool('worker-postproc');
  const other = db.pool('worker-postproc'); // another process's pool, as far as the relay can tell
  const { relay, batches } = listeningRelay(pool, publisher);
  const isPublished = async (eventId: string) =>
    (await admin.query('SELECT 1 FROM outbox WHERE event_id = $1 AND published_at IS NOT NULL', [eventId])).rowCount === 1;
  try {
    await new Promise((r) => setTimeout(r, 1000));
    await pool.query('SELECT 1'); // the relay's pool has a connection to tell apart
    const before = batches();
    const foreign = randomUUID();
    await withTransaction(other, (c) => enqueueOutboxMany(c, [{ eventId: foreign, exchange, routingKey: 't', body: { foreign } }]));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(batches(), before, 'a foreign NOTIFY started a batch');
    assert.equal(await isPublished(foreign), false);
    // Its own commit wakes it, and that batch takes the foreign row too (it is a row like any other).
    const own = randomUUID();
    await withTransaction(pool, (c) => enqueueOutboxMany(c, [{ eventId: own, exchange, routingKey: 't', body: { own } }]));
    await waitFor(async () => (await isPublished(own)) && (await isPublished(foreign)), 15_000);
  } finally {
    await relay.stop();
    await publisher.close();
  }
});

test('notifyDelayMs: a burst of NOTIFYs is gathered into a few batches instead of one each', async () => {
  const publisher = await connectTestPublisher();
  const pool = db.pool('worker-postproc');
  const { relay, batches } = listeningRelay(pool, publisher, { notifyDelayMs: 300 });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const before = batches();
    const ids = Array.from({ length: 20 }, () => randomUUID());
    await Promise.all(ids.map((eventId) => withTransaction(pool, (c) => enqueueOutboxMany(c, [{ eventId, exchange, routingKey: 't', body: { eventId } }]))));
    await waitFor(
      async () => Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE event_id = ANY($1::uuid[]) AND published_at IS NOT NULL', [ids])).rows[0]!.n) === 20,
      15_000,
    );
    assert.ok(batches() - before <= 5, `20 commits took ${batches() - before} batches`);
  } finally {
    await relay.stop();
    await publisher.close();
  }
});

test('a permanently failing row is parked and reported; the rest of the batch is published', async () => {
  const poison = randomUUID();
  const good = [randomUUID(), randomUUID()];
  const sent: string[] = [];
  // A stand-in publisher (unit scope): the broker refusing one message as unroutable.
  const publisher = {
    publish: async (m: { messageId: string }) => {
      if (m.messageId === poison) throw new DphError('unroutable', 'no queue accepted the message', { retryable: false });
      sent.push(m.messageId);
    },
  };
  const parked: string[] = [];
  const pool = db.pool('worker-postproc');
  await admin.query('UPDATE outbox SET published_at = now() WHERE published_at IS NULL');
  await withTransaction(pool, (c) =>
    enqueueOutboxMany(c, [poison, ...good].map((eventId) => ({ eventId, exchange, routingKey: 't', body: {} }))),
  );
  const relay = new OutboxRelay({ pool, publisher, onParked: (r) => void parked.push(r.eventId) });
  assert.equal(await relay.runOnce(), 3);
  assert.deepEqual(sent.sort(), [...good].sort());
  assert.deepEqual(parked, [poison]);
  const row = await admin.query(
    "SELECT published_at, available_at = 'infinity' AS parked, last_error FROM outbox WHERE event_id = $1",
    [poison],
  );
  assert.deepEqual(row.rows[0], { published_at: null, parked: true, last_error: 'unroutable' });
  assert.equal(await relay.runOnce(), 0);
  assert.equal((await outboxBacklog(admin)).parked, 1);
});

test('a broker outage leaves the batch untouched for the next try', async () => {
  const pool = db.pool('worker-postproc');
  await admin.query("UPDATE outbox SET published_at = now() WHERE published_at IS NULL AND available_at <> 'infinity'");
  const eventId = randomUUID();
  await withTransaction(pool, (c) => enqueueOutboxMany(c, [{ eventId, exchange, routingKey: 't', body: {} }]));
  const relay = new OutboxRelay({ pool, publisher: { publish: () => Promise.reject(new Error('connection closed')) } });
  await assert.rejects(relay.runOnce());
  const row = await admin.query('SELECT attempts, published_at FROM outbox WHERE event_id = $1', [eventId]);
  assert.deepEqual(row.rows[0], { attempts: 0, published_at: null });
});

test('cleanup deletes published rows past the retention and nothing else', async () => {
  await admin.query("UPDATE outbox SET published_at = now() - interval '2 days' WHERE published_at IS NOT NULL");
  const pendingBefore = await outboxBacklog(admin);
  const removed = await cleanupOutbox(db.pool('worker-postproc'), { retentionMs: 86_400_000 });
  assert.ok(removed >= 2000);
  assert.equal(Number((await admin.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NOT NULL')).rows[0].n), 0);
  const after = await outboxBacklog(admin);
  assert.deepEqual([after.pending, after.parked], [pendingBefore.pending, pendingBefore.parked]);
});
