// The dispatcher as a real process against the stack: job events from RabbitMQ become signed deliveries, in the
// job's order even with a second dispatcher on the queue; a dispatcher killed mid-delivery loses nothing and the
// retry carries the same webhook-id.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { startService, get, waitForStatus } from '@dph/lifecycle/testing';
import { requireStack, pgClientConfig } from '@dph/testkit';
import { withTransaction, type Pool } from '@dph/db';
import { createScratchDatabase } from '@dph/db/testing';
import { createSecretBox, createSubscription, recordEventDeliveries, verifyWebhook } from '@dph/webhooks';
import { TestReceiver } from '@dph/webhooks/testing';
import { dispatcherEnv, eventPublisher, jobEvent, keyFile, main } from './helpers.js';

requireStack();
const key = keyFile();
const storage = { box: createSecretBox(key.key) };
const api = new pg.Pool({ ...pgClientConfig('orchestrator-api'), max: 2 });
const admin = new pg.Pool({ ...pgClientConfig('admin'), max: 1 });
const dispatcherPool = new pg.Pool({ ...pgClientConfig('webhook-dispatcher'), max: 1 });
const receiver = await TestReceiver.start();
const publisher = await eventPublisher();
after(async () => {
  await receiver.close();
  await publisher.close();
  await Promise.all([api.end(), admin.end(), dispatcherPool.end()]);
});

const newScene = () => `wdsvc${randomBytes(4).toString('hex')}`;
async function subscribe(scene: string, path: string, pool: pg.Pool | Pool = api) {
  return withTransaction(pool as Pool, (c) => createSubscription(c, {
    tenantScene: scene, callbackUrl: `http://127.0.0.1:${receiver.port}${path}`, eventFilter: ['job.*'], createdBy: 't',
  }, { storage, urlPolicy: { allowHttp: true, allowCidrs: '127.0.0.0/8' } }), { scene });
}
async function until(pred: () => Promise<boolean> | boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('job events from dph.events are delivered, signed, and counted in /metrics', async () => {
  const scene = newScene();
  const { secret } = await subscribe(scene, '/e2e');
  const svc = await startService(main, dispatcherEnv(key.path, { DPH_WEBHOOK_ONLY_SCENE: scene }));
  try {
    const ready = JSON.parse(await waitForStatus(`http://127.0.0.1:${svc.port}/readyz`));
    assert.deepEqual(ready, { status: 'ready', checks: { postgres: 'ok', amqp: 'ok', consumer: 'ok' } });
    // A real job's whole life: the stack's dispatcher consumes the same queue, so the two processes may each
    // record some of these events, in either order; the receiver must still see them in the job's order.
    const job = randomUUID();
    await admin.query(
      `INSERT INTO jobs (job_id, tenant_scene, business_ref, source_type, submit_by, status, event_seq) VALUES ($1, $2, 'r', 'direct_upload', 't', 'succeeded', 3)`,
      [job, scene],
    );
    const life = ['queued', 'parsing', 'postproc', 'succeeded'];
    for (const status of life) await publisher.publish(jobEvent(scene, job, status));
    await receiver.waitFor(() => receiver.at('/e2e').length === life.length);
    const got = receiver.at('/e2e');
    assert.deepEqual(got.map((g) => JSON.parse(g.body).status), life);
    for (const g of got) verifyWebhook(g.headers as Record<string, string>, g.body, [secret!]);
    // The stack's own dispatcher shares the queue, so either process may have taken an event: the receiver
    // (above) is the proof of delivery; here only that the metric families are exposed.
    const metrics = (await get(`http://127.0.0.1:${svc.port}/metrics`)).body;
    for (const m of ['webhook_deliveries_total counter', 'webhook_attempt_duration_seconds histogram', 'webhook_dead_lettered_total counter', 'webhook_first_attempt_lag_seconds histogram', 'webhook_backlog gauge']) {
      assert.match(metrics, new RegExp(`# TYPE ${m}`));
    }
  } finally {
    assert.equal(await svc.stop('SIGTERM'), 0, svc.output());
  }
  assert.doesNotMatch(svc.output(), /whsec_/);
});

test('a dispatcher killed mid-delivery: nothing lost, the retry carries the same webhook-id', async () => {
  // Its own database: the stack's running dispatcher (another signing key) must not claim this delivery.
  const db = await createScratchDatabase();
  const dispatcherPool = db.pool('webhook-dispatcher', 1);
  const admin = db.pool('admin', 1);
  try {
    await killMidDelivery(db.name, db.pool('orchestrator-api', 2), dispatcherPool, admin);
  } finally {
    await db.drop();
  }
});

async function killMidDelivery(database: string, apiPool: Pool, dispatcherPool: Pool, admin: Pool): Promise<void> {
  const scene = newScene();
  await subscribe(scene, '/slow', apiPool);
  receiver.script('/slow', ({ n }) => (n === 1 ? { status: 200, delayMs: 4_000 } : { status: 200 }));
  const env = dispatcherEnv(key.path, { DPH_PG_DATABASE: database, DPH_WEBHOOK_ONLY_SCENE: scene, DPH_WEBHOOK_TIMEOUT_MS: '6000', DPH_WEBHOOK_LEASE_MS: '7000', DPH_WEBHOOK_POLL_MS: '20' });
  const a = await startService(main, env);
  // Recorded straight into the table (not through the shared queue, which the stack's own dispatcher also
  // consumes), so the fast-polling dispatcher A is the one that claims it.
  const ev = jobEvent(scene, randomUUID(), 'succeeded');
  assert.equal(await recordEventDeliveries(dispatcherPool, ev), 1);
  await until(() => receiver.arrived('/slow') === 1);
  assert.equal(await a.stop('SIGKILL'), null);
  const b = await startService(main, env);
  try {
    await until(() => receiver.at('/slow').length === 2, 30_000);
    await until(async () => (await admin.query('SELECT status FROM webhook_deliveries WHERE event_id = $1', [ev.id])).rows[0]?.status === 'succeeded');
  } finally {
    assert.equal(await b.stop('SIGTERM'), 0, b.output());
  }
  const ids = receiver.at('/slow').map((r) => r.headers['webhook-id']);
  assert.deepEqual(ids, [ev.id, ev.id]);
  const d = (await admin.query('SELECT delivery_id, attempts FROM webhook_deliveries WHERE event_id = $1', [ev.id])).rows;
  assert.equal(d.length, 1);
  assert.equal(d[0].attempts, 2);
  const attempts = (await admin.query('SELECT attempt, status_code FROM webhook_attempts WHERE delivery_id = $1', [d[0].delivery_id])).rows;
  // Attempt 1 died with its process (its number stays reserved); attempt 2 is recorded.
  assert.deepEqual(attempts, [{ attempt: 2, status_code: 200 }]);
}
