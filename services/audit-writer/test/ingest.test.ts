import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { requireStack } from '@dph/testkit';
import { createScratchDatabase, type ScratchDatabase } from '@dph/db/testing';
import type { Pool } from '@dph/db';
import { AUDIT_CHAIN_LOCK, verifyChain } from '@dph/audit';
import type { AmqpConnection } from '@dph/messaging';
import { AuditIngest, type RefusalReason } from '../src/ingest/batch-consumer.js';
import { createRedLineScan } from '../src/domain/pii-scan.js';
import { amqpConnection, auditEvent, declareTestQueue, deleteTestQueue, publishAll, publishBatches, waitFor } from './support/harness.js';

let db: ScratchDatabase;
let admin: Pool;
let conn: AmqpConnection;
let q: { exchange: string; queue: string; dlq: string };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

before(async () => {
  requireStack();
  db = await createScratchDatabase();
  admin = db.pool('admin');
  conn = await amqpConnection('audit-ingest-test');
  q = await declareTestQueue(conn, String(process.pid));
});
after(async () => {
  if (conn) {
    await deleteTestQueue(conn, q);
    await conn.close().catch(() => undefined);
  }
  await db?.drop();
});

const rowCount = async () => Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM audit_events')).rows[0]!.n);
const queueDepth = async (name: string) => {
  const ch = await conn.createChannel();
  try {
    return (await ch.checkQueue(name)).messageCount;
  } finally {
    await ch.close();
  }
};

test('batched ingest: every event written once (duplicates included), all acked, chain intact', async () => {
  const refused: RefusalReason[] = [];
  let duplicates = 0;
  const ingest = new AuditIngest({
    connection: conn, pool: db.pool('audit-writer'), queue: q.queue, batchSize: 400, scan: createRedLineScan(), log: quiet,
    metrics: { refused: (r) => void refused.push(r), duplicates: (n) => void (duplicates += n) },
  });
  await ingest.start();
  try {
    const events = Array.from({ length: 3000 }, () => auditEvent());
    const again = events.slice(0, 200);
    await publishAll(conn, q.exchange, [...events, ...again]);
    await waitFor(async () => (await rowCount()) === 3000 && ingest.buffered === 0, 60_000);
    await waitFor(async () => (await queueDepth(q.queue)) === 0, 10_000);
    const r = await verifyChain(admin);
    assert.deepEqual([r.ok, r.rowsChecked], [true, 3000]);
    assert.deepEqual(refused, []);
    assert.ok(duplicates >= 0);
    const sample = await admin.query(`SELECT event_type, tenant_scene, actor, trace_id, payload->>'entity_type' AS e FROM audit_events LIMIT 1`);
    assert.deepEqual(sample.rows[0], { event_type: 'pii_hit', tenant_scene: 'scene-a', actor: 'system:worker-postproc@test', trace_id: '0af7651916cd43dd8448eb211c80319c', e: 'EMAIL_ADDRESS' });
  } finally {
    await ingest.stop();
  }
});

test('canary PII values and value-carrying fields are refused to the DLQ, never written', async () => {
  const refused: RefusalReason[] = [];
  const ingest = new AuditIngest({
    connection: conn, pool: db.pool('audit-writer'), queue: q.queue, scan: createRedLineScan(), log: quiet,
    metrics: { refused: (r) => void refused.push(r) },
  });
  await ingest.start();
  const before = await rowCount();
  const dlqBefore = await queueDepth(q.dlq);
  try {
    const canaries = [
      auditEvent({ payload: { entity_type: 'CN_MOBILE', note: 'call 13812345678 please' } }),
      auditEvent({ payload: { entity_type: 'EMAIL_ADDRESS', detail: 'canary.person@example.org' } }),
      auditEvent({ payload: { entity_type: 'US_SSN', matched_text: 'x' } }),
      auditEvent({ payload: { card: '4111 1111 1111 1111' } }),
      auditEvent({ eventType: 'not_a_type' as never }),
    ];
    const fine = auditEvent();
    await publishAll(conn, q.exchange, [...canaries, fine]);
    await waitFor(async () => (await rowCount()) === before + 1, 20_000);
    await waitFor(async () => (await queueDepth(q.dlq)) === dlqBefore + canaries.length, 20_000);
    assert.deepEqual(refused.sort(), ['invalid_event', 'red_line', 'red_line', 'red_line', 'red_line']);
    const leaked = await admin.query(`SELECT 1 FROM audit_events WHERE payload::text ~ '13812345678|canary.person|4111'`);
    assert.equal(leaked.rowCount, 0);
  } finally {
    await ingest.stop();
  }
});

test('batch messages: every event written; a message is never split across commits; one bad event dead-letters its message whole', async () => {
  const refused: RefusalReason[] = [];
  // Batches of 7 rows against messages of 5 events: without keeping a message whole, a commit would ack a message
  // whose last events are still unwritten.
  const ingest = new AuditIngest({
    connection: conn, pool: db.pool('audit-writer'), queue: q.queue, batchSize: 7, scan: createRedLineScan(), log: quiet,
    metrics: { refused: (r) => void refused.push(r) },
  });
  await ingest.start();
  const before = await rowCount();
  const dlqBefore = await queueDepth(q.dlq);
  try {
    const good = Array.from({ length: 12 }, () => Array.from({ length: 5 }, () => auditEvent({ eventType: 'webhook_delivered', payload: { deliveryId: randomUUID(), attempts: 1 } })));
    const poisoned = [auditEvent({ eventType: 'webhook_delivered' }), auditEvent({ eventType: 'webhook_delivered', payload: { note: 'call 13812345678' } })];
    await publishBatches(conn, q.exchange, [...good.slice(0, 6), poisoned, ...good.slice(6)]);
    await waitFor(async () => (await rowCount()) === before + 60 && ingest.buffered === 0, 20_000);
    await waitFor(async () => (await queueDepth(q.dlq)) === dlqBefore + 1, 10_000);
    await waitFor(async () => (await queueDepth(q.queue)) === 0, 10_000);
    assert.deepEqual(refused, ['red_line']);
    const ids = good.flat().map((e) => e.id);
    const written = await admin.query('SELECT count(*)::int AS n FROM audit_events WHERE event_id = ANY($1::uuid[])', [ids]);
    assert.equal(written.rows[0].n, 60);
    const sibling = await admin.query('SELECT 1 FROM audit_events WHERE event_id = $1', [poisoned[0]!.id]);
    assert.equal(sibling.rowCount, 0, "the bad event's sibling is held with it in the DLQ, not written alone");
    const r = await verifyChain(admin);
    assert.equal(r.ok, true);
  } finally {
    await ingest.stop();
  }
});

test('a writer SIGKILLed mid-stream loses nothing: after a restart every event is there once', async () => {
  const total = 6000;
  const before = await rowCount();
  const events = Array.from({ length: total }, () => auditEvent({ eventType: 'routed', payload: { queue: 'dph.parse.default.normal' } }));
  const start = () =>
    spawn(process.execPath, ['--conditions=development', '--import', 'tsx', fileURLToPath(new URL('./support/ingest-child.ts', import.meta.url))], {
      env: { ...process.env, ...db.env('audit-writer'), INGEST_QUEUE: q.queue, INGEST_BATCH: '250' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  await publishAll(conn, q.exchange, events);
  const first = start();
  await waitFor(async () => (await rowCount()) - before >= 1000, 60_000);
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const atKill = (await rowCount()) - before;
  assert.ok(atKill < total, 'the kill came after the whole stream');
  const second = start();
  try {
    await waitFor(async () => (await rowCount()) - before === total, 90_000);
    await waitFor(async () => (await queueDepth(q.queue)) === 0, 20_000);
  } finally {
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  }
  const ids = events.map((e) => e.id);
  const present = await admin.query<{ n: string }>('SELECT count(*) AS n FROM audit_events WHERE event_id = ANY($1::uuid[])', [ids]);
  assert.equal(Number(present.rows[0]!.n), total);
  assert.equal((await verifyChain(admin)).ok, true);
  console.log(`writer crash test: ${total} events, ${atKill} rows at SIGKILL, all ${total} present once after restart`);
});

test('database connections cut mid-stream: the batch is retried, nothing lost', async () => {
  const before = await rowCount();
  let retries = 0;
  const ingest = new AuditIngest({
    connection: conn, pool: db.pool('audit-writer'), queue: q.queue, batchSize: 200, retryMinMs: 50, log: quiet,
    metrics: { dbRetry: () => void retries++ },
  });
  await ingest.start();
  try {
    const events = Array.from({ length: 4000 }, () => auditEvent({ eventType: 'parsed', payload: { engine: 'builtin', duration_ms: 12 } }));
    const publishing = publishAll(conn, q.exchange, events);
    await waitFor(async () => (await rowCount()) > before + 200, 30_000);
    for (let i = 0; i < 5; i++) {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = 'dph_audit_writer'`, [db.name]);
      await new Promise((r) => setTimeout(r, 100));
    }
    await publishing;
    await waitFor(async () => (await rowCount()) === before + 4000, 60_000);
    assert.equal((await verifyChain(admin)).ok, true);
    console.log(`db cut test: 4000 events, ${retries} batch retries, all written once`);
  } finally {
    await ingest.stop();
  }
});

test('an ingest that cannot commit reports itself stalled, and recovers once the database takes the batch', async () => {
  // Holding the chain lock from another session blocks every append: events wait, nothing commits.
  const blocker = await admin.connect();
  await blocker.query('BEGIN');
  await blocker.query('SELECT pg_advisory_xact_lock($1, $2)', [...AUDIT_CHAIN_LOCK]);
  const ingest = new AuditIngest({ connection: conn, pool: db.pool('audit-writer'), queue: q.queue, stallAfterMs: 300, log: quiet });
  await ingest.start();
  const before = await rowCount();
  try {
    assert.equal(ingest.stalled(), false);
    await publishAll(conn, q.exchange, Array.from({ length: 20 }, () => auditEvent()));
    await waitFor(async () => ingest.stalled(), 20_000);
    await blocker.query('COMMIT');
    await waitFor(async () => (await rowCount()) === before + 20, 20_000);
    await waitFor(async () => !ingest.stalled(), 5_000);
  } finally {
    await blocker.query('ROLLBACK').catch(() => undefined);
    blocker.release();
    await ingest.stop();
  }
});

void randomUUID;
