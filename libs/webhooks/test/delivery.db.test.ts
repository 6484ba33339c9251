// The delivery engine against the local stack's Postgres (a scratch database, as dph_dispatcher) and real loopback receivers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { requireStack } from '@dph/testkit';
import { createScratchDatabase } from '@dph/db/testing';
import { withTransaction, enqueueOutboxMany } from '@dph/db';
import { parseEvents } from '@dph/messaging';
import { createGuardedAgent, systemResolveAll } from '@dph/egress';
import type { CloudEvent, JobEventData } from '@dph/contracts';
import {
  DeliveryEngine, createSecretBox, createSubscription, intakeDeliveries, recordEventDeliveries, rotateSubscriptionSecret, sweepJobProgress,
  replayDelivery, replayDeadDeliveries, listDeliveries, sealCallbackSecret, verifyWebhook,
  type SubscriptionDeps, type EngineHooks,
} from '../src/index.js';
import { TestReceiver } from '../testing/receiver.js';
import { makeTestTls } from '@dph/egress/testing';

requireStack();
// A database of its own: the local stack's running dispatcher polls the shared one and would claim these deliveries.
const db = await createScratchDatabase();
const api = db.pool('orchestrator-api', 2);
const disp = db.pool('webhook-dispatcher', 4);
const admin = db.pool('admin', 1);
const storage = { box: createSecretBox(randomBytes(32)) };
const testDns = async (h: string) => (h === 'hooks.dph.test' ? [{ address: '127.0.0.1', family: 4 }] : systemResolveAll(h));
const deps: SubscriptionDeps = { storage, urlPolicy: { allowHttp: true, allowCidrs: '127.0.0.0/8', resolveAll: testDns } };
const receiver = await TestReceiver.start();
const tls = makeTestTls(['hooks.dph.test']);
const tlsReceiver = await TestReceiver.start(tls);
const agent = createGuardedAgent({
  allowCidrs: '127.0.0.0/8',
  ca: tls.ca,
  resolveAll: async (h) => (h === 'hooks.dph.test' ? [{ address: '127.0.0.1', family: 4 }] : []),
});
after(async () => {
  await receiver.close();
  await tlsReceiver.close();
  await agent.close();
  await db.drop();
});

function newEngine(scene: string, hooks: EngineHooks = {}, extra: Partial<ConstructorParameters<typeof DeliveryEngine>[0]> = {}) {
  return new DeliveryEngine({
    db: {
      q: disp,
      tx: (fn) => withTransaction(disp, fn),
      enqueueOutbox: (q, m) => enqueueOutboxMany(q, m),
    },
    storage,
    dispatcher: agent,
    allowHttp: true,
    allowCidrs: '127.0.0.0/8',
    policy: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200, retryAfterCapMs: 5_000 },
    timeoutMs: 2_000,
    pollIntervalMs: 50,
    onlyScene: scene,
    hooks,
    ...extra,
  });
}

async function subscribe(scene: string, path: string, filter: string[] = ['job.*'], base = `http://127.0.0.1:${receiver.port}`) {
  return withTransaction(api, (c) => createSubscription(c, { tenantScene: scene, callbackUrl: `${base}${path}`, eventFilter: filter, createdBy: 't' }, deps), { scene });
}

function jobEvent(scene: string, jobId: string, status: string, callback?: JobEventData['callback']): CloudEvent<JobEventData> {
  return {
    specversion: '1.0', id: randomUUID(), source: 'test', type: `dph.job.${status}`, time: new Date().toISOString(),
    subject: jobId, datacontenttype: 'application/json',
    data: { jobId, status, tenantScene: scene, businessRef: 'ref-1', occurredAt: new Date().toISOString(), ...(status === 'failed' ? { errorCode: 'parse_failed' } : {}), callback },
  };
}

const newScene = () => `wd${randomBytes(4).toString('hex')}`;
const deliveryRows = (scene: string) =>
  admin.query('SELECT * FROM webhook_deliveries WHERE tenant_scene = $1 ORDER BY seq', [scene]).then((r) => r.rows);
const attemptRows = (deliveryId: string) =>
  admin.query('SELECT * FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt', [deliveryId]).then((r) => r.rows);
/** The audit events the dispatcher queued for a scene: single-event messages and those inside batch messages. */
const auditRows = (scene: string) =>
  admin.query(`SELECT routing_key, body FROM outbox WHERE exchange = 'dph.audit' ORDER BY id`).then((r) => r.rows
    .flatMap((x) => parseEvents<{ tenantScene: string; payload: Record<string, unknown>; traceId: string | null }>(x.body as Buffer)
      .map((event) => ({ key: x.routing_key as string, event })))
    .filter((a) => a.event.data.tenantScene === scene));
async function until(pred: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 30));
  }
}

test('one delivery per (event, endpoint), idempotent on the event id; filter respected', async () => {
  const scene = newScene();
  await subscribe(scene, '/idem-all');
  await subscribe(scene, '/idem-failed', ['job.failed']);
  const ev = jobEvent(scene, randomUUID(), 'succeeded');
  assert.equal(await recordEventDeliveries(disp, ev), 1);
  assert.equal(await recordEventDeliveries(disp, ev), 0);
  const rows = await deliveryRows(scene);
  assert.equal(rows.length, 1);
  assert.match(rows[0].target_url, /idem-all$/);
});

test('a receiver failing then recovering: retried with the same webhook-id, signatures valid, every attempt recorded', async () => {
  const scene = newScene();
  const { secret } = await subscribe(scene, '/flaky');
  receiver.script('/flaky', ({ n }) => (n < 3 ? { status: 500, body: 'boom' } : { status: 204 }));
  const engine = newEngine(scene);
  engine.start();
  await recordEventDeliveries(disp, jobEvent(scene, randomUUID(), 'failed'));
  engine.kick();
  await until(async () => (await deliveryRows(scene))[0]?.status === 'succeeded');
  await engine.stop();
  const got = receiver.at('/flaky');
  assert.equal(got.length, 3);
  assert.equal(new Set(got.map((g) => g.headers['webhook-id'])).size, 1);
  for (const g of got) {
    assert.equal(verifyWebhook(g.headers as Record<string, string>, g.body, [secret!]).scheme, 'standard');
    assert.equal(verifyWebhook(g.headers as Record<string, string>, g.body, [secret!], { scheme: 'dph' }).scheme, 'dph');
  }
  const body = JSON.parse(got[0]!.body);
  assert.equal(body.type, 'job.failed');
  assert.equal(body.errorCode, 'parse_failed');
  const [d] = await deliveryRows(scene);
  const attempts = await attemptRows(d.delivery_id);
  assert.deepEqual(attempts.map((a) => a.status_code), [500, 500, 204]);
  assert.equal(attempts[0].response_excerpt, 'boom');
  assert.equal(attempts[0].error_class, 'http_status');
  const delivered = (await auditRows(scene)).filter((a) => a.event.type === 'dph.audit.webhook_delivered');
  assert.equal(delivered.length, 1, 'one webhook_delivered audit event, for the success only');
  assert.equal(delivered[0]!.event.data.payload.statusCode, 204);
  assert.doesNotMatch(JSON.stringify(delivered), /127\.0\.0\.1|whsec_|boom/);
});

test('the successes of a recorded batch travel as batch messages (audit-batch key); failures on their own', async () => {
  const scene = newScene();
  await subscribe(scene, '/batched');
  const events = Array.from({ length: 20 }, () => jobEvent(scene, randomUUID(), 'succeeded'));
  await intakeDeliveries(disp, events, null, null);
  const engine = newEngine(scene);
  engine.start();
  engine.kick();
  await until(async () => (await deliveryRows(scene)).every((x) => x.status === 'succeeded'));
  await engine.stop();
  const audits = (await auditRows(scene)).filter((a) => a.event.type === 'dph.audit.webhook_delivered');
  assert.deepEqual(new Set(audits.map((a) => a.event.data.payload.eventId)), new Set(events.map((e) => e.id)), 'one event per success');
  const { rows } = await admin.query(`SELECT routing_key, body FROM outbox WHERE exchange = 'dph.audit' AND routing_key LIKE '%webhook_delivered'`);
  const mine = rows.filter((r) => parseEvents<{ tenantScene: string }>(r.body as Buffer).some((e) => e.data.tenantScene === scene));
  assert.ok(mine.length < events.length, `${events.length} successes took ${mine.length} messages`);
  for (const r of mine) {
    const n = parseEvents(r.body as Buffer).length;
    assert.equal(r.routing_key, n > 1 ? 'audit-batch.webhook_delivered' : 'audit.webhook_delivered');
  }
});

test('Retry-After on 503 is honoured (capped), instead of the short backoff', async () => {
  const scene = newScene();
  await subscribe(scene, '/busy');
  receiver.script('/busy', ({ n }) => (n === 1 ? { status: 503, headers: { 'retry-after': '2' } } : { status: 200 }));
  const engine = newEngine(scene);
  engine.start();
  await recordEventDeliveries(disp, jobEvent(scene, randomUUID(), 'succeeded'));
  engine.kick();
  await until(async () => (await deliveryRows(scene))[0]?.status === 'failed');
  const [d] = await deliveryRows(scene);
  const [a1] = await attemptRows(d.delivery_id);
  // Scheduled no earlier than Retry-After says (the policy's own backoff would be 25-50 ms).
  assert.ok(new Date(d.next_attempt_at).getTime() - new Date(a1.started_at).getTime() >= 1_900);
  await until(async () => (await deliveryRows(scene))[0]?.status === 'succeeded');
  await engine.stop();
  assert.equal(receiver.at('/busy').length, 2);
});

test('410 disables the endpoint, dead-letters its open deliveries and audits both', async () => {
  const scene = newScene();
  const { subscription } = await subscribe(scene, '/gone');
  receiver.script('/gone', () => ({ status: 410 }));
  const engine = newEngine(scene);
  engine.start();
  const job = randomUUID();
  await recordEventDeliveries(disp, jobEvent(scene, job, 'queued'));
  await recordEventDeliveries(disp, jobEvent(scene, job, 'parsing'));
  engine.kick();
  await until(async () => (await deliveryRows(scene)).every((r) => r.status === 'dead'));
  await engine.stop();
  assert.equal(receiver.at('/gone').length, 1); // the second event was never sent
  const sub = (await admin.query('SELECT status, disabled_reason FROM webhook_subscriptions WHERE subscription_id = $1', [subscription.subscriptionId])).rows[0];
  assert.deepEqual(sub, { status: 'disabled', disabled_reason: 'gone' });
  const audits = await auditRows(scene);
  assert.ok(audits.some((a) => a.key === 'audit.webhook_disabled' && a.event.type === 'dph.audit.webhook_disabled'));
  assert.equal(audits.filter((a) => a.key === 'audit.webhook_failed').length, 2);
  assert.doesNotMatch(JSON.stringify(audits), /127\.0\.0\.1|whsec_/);
  // The disabled subscription no longer matches new events.
  assert.equal(await recordEventDeliveries(disp, jobEvent(scene, job, 'succeeded')), 0);
});

test('a redirect (to loopback) is a failure and is never followed', async () => {
  const scene = newScene();
  await subscribe(scene, '/moved');
  receiver.script('/moved', () => ({ status: 307, headers: { location: `http://127.0.0.1:${receiver.port}/internal-admin` } }));
  const engine = newEngine(scene);
  engine.start();
  await recordEventDeliveries(disp, jobEvent(scene, randomUUID(), 'succeeded'));
  engine.kick();
  await until(async () => (await deliveryRows(scene))[0]?.status === 'dead');
  await engine.stop();
  assert.equal(receiver.at('/internal-admin').length, 0);
  const [d] = await deliveryRows(scene);
  const attempts = await attemptRows(d.delivery_id);
  assert.equal(attempts.length, 3);
  assert.ok(attempts.every((a) => a.error_class === 'redirect' && a.status_code === 307));
  const audits = await auditRows(scene);
  assert.equal(audits.filter((a) => a.key === 'audit.webhook_failed').length, 1);
});

test('ordering per job and endpoint holds under retries', async () => {
  const scene = newScene();
  await subscribe(scene, '/ordered');
  // The first event fails twice; later events must wait for it.
  receiver.script('/ordered', ({ body, n }) => (JSON.parse(body).status === 'queued' && n <= 2 ? { status: 500 } : { status: 200 }));
  const engine = newEngine(scene, {}, { concurrency: 16 });
  const job = randomUUID();
  for (const s of ['queued', 'parsing', 'postproc', 'succeeded']) await recordEventDeliveries(disp, jobEvent(scene, job, s));
  engine.start();
  await until(async () => (await deliveryRows(scene)).every((r) => r.status === 'succeeded'));
  await engine.stop();
  const order = receiver.at('/ordered').map((r) => `${JSON.parse(r.body).status}:${r.status}`);
  assert.deepEqual(order, ['queued:500', 'queued:500', 'queued:200', 'parsing:200', 'postproc:200', 'succeeded:200']);
});

/** A job row as the producers leave it after `moves` transitions (its event_seq): the position of its terminal event. */
async function insertJob(scene: string, status: string, moves: number): Promise<string> {
  const jobId = randomUUID();
  await admin.query(
    `INSERT INTO jobs (job_id, tenant_scene, business_ref, source_type, submit_by, status, event_seq) VALUES ($1, $2, 'r', 'direct_upload', 't', $3, $4)`,
    [jobId, scene, status, moves],
  );
  return jobId;
}
const statusesAt = (path: string) => receiver.at(path).map((r) => JSON.parse(r.body).status as string);

test('a later event recorded before an earlier one (held by another dispatcher) waits for it, even for an endpoint that does not take the earlier ones', async () => {
  const scene = newScene();
  await subscribe(scene, '/reordered-all');
  await subscribe(scene, '/reordered-ends', ['job.queued', 'job.succeeded']);
  const released: number[] = [];
  const engine = newEngine(scene, { orderReleased: (n) => released.push(n) });
  engine.start();
  const job = await insertJob(scene, 'succeeded', 3);
  const intake = async (status: string) => {
    const { claimed } = await intakeDeliveries(disp, [jobEvent(scene, job, status)], 30_000, scene);
    engine.deliverClaimed(claimed);
    engine.kick();
    return claimed.length;
  };
  // The terminal event arrives first: nothing of it may go while queued, parsing and postproc are unrecorded.
  assert.equal(await intake('succeeded'), 0);
  assert.equal(await intake('queued'), 2);
  await receiver.waitFor(() => receiver.at('/reordered-ends').length === 1 && receiver.at('/reordered-all').length === 1);
  await new Promise((r) => setTimeout(r, 300)); // several claim rounds (poll 50 ms)
  assert.deepEqual(statusesAt('/reordered-ends'), ['queued'], 'succeeded went out before parsing and postproc were recorded');
  await intake('postproc'); // still out of order: parsing is missing
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(statusesAt('/reordered-all'), ['queued']);
  await intake('parsing');
  await receiver.waitFor(() => receiver.at('/reordered-all').length === 4 && receiver.at('/reordered-ends').length === 2);
  await engine.stop();
  assert.deepEqual(statusesAt('/reordered-all'), ['queued', 'parsing', 'postproc', 'succeeded']);
  assert.deepEqual(statusesAt('/reordered-ends'), ['queued', 'succeeded']);
  assert.deepEqual(released, []);
  const positions = (await deliveryRows(scene)).map((r) => r.job_pos as number);
  assert.deepEqual(positions.sort(), [0, 0, 1, 2, 3, 3]); // the all-events endpoint's four, the other's two
});

test('the order hold releases a delivery whose earlier event never comes, and says so', async () => {
  const scene = newScene();
  await subscribe(scene, '/orphan');
  const released: number[] = [];
  const engine = newEngine(scene, { orderReleased: (n) => released.push(n) }, { orderHoldMs: 400 });
  const job = await insertJob(scene, 'cancelled', 2); // queued -> parsing -> cancelled; neither earlier event arrives
  const t0 = Date.now();
  assert.equal((await intakeDeliveries(disp, [jobEvent(scene, job, 'cancelled')], 30_000, scene)).claimed.length, 0);
  engine.start();
  await receiver.waitFor(() => receiver.at('/orphan').length === 1);
  await engine.stop();
  assert.ok(Date.now() - t0 >= 400, 'sent before the hold ran out');
  assert.deepEqual(released, [1]);
});

test('job progress rows are swept once complete and past the hold; incomplete ones stay', async () => {
  const scene = newScene();
  const done = await insertJob(scene, 'succeeded', 2); // queued -> parsing -> failed would be 2 moves too
  const open = await insertJob(scene, 'succeeded', 3);
  for (const s of ['queued', 'parsing', 'succeeded']) await recordEventDeliveries(disp, jobEvent(scene, done, s));
  for (const s of ['queued', 'succeeded']) await recordEventDeliveries(disp, jobEvent(scene, open, s));
  const progress = async () => (await admin.query('SELECT job_id, seen, terminal_pos FROM webhook_job_progress WHERE job_id = ANY($1::uuid[]) ORDER BY seen', [[done, open]])).rows;
  assert.deepEqual(await progress(), [{ job_id: open, seen: 1, terminal_pos: 3 }, { job_id: done, seen: 3, terminal_pos: 2 }]);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok((await sweepJobProgress(disp, 10)) >= 1);
  assert.deepEqual(await progress(), [{ job_id: open, seen: 1, terminal_pos: 3 }]);
});

/** Scripts a path that answers after `ms`, recording the most requests it had open at once. */
function slowPath(path: string, ms: number): { most: () => number } {
  let open = 0;
  let most = 0;
  receiver.script(path, () => {
    most = Math.max(most, ++open);
    setTimeout(() => open--, ms);
    return { status: 200, delayMs: ms };
  });
  return { most: () => most };
}

test('a slow endpoint holds at most its share of a dispatcher; another endpoint is served meanwhile (claims)', async () => {
  const scene = newScene();
  await subscribe(scene, '/share-slow');
  await subscribe(scene, '/share-fast');
  const slow = slowPath('/share-slow', 700);
  const engine = newEngine(scene, {}, { concurrency: 16, endpointConcurrency: 2 });
  for (let i = 0; i < 6; i++) await recordEventDeliveries(disp, jobEvent(scene, randomUUID(), 'succeeded'));
  engine.start();
  await receiver.waitFor(() => receiver.at('/share-fast').length === 6);
  assert.ok(receiver.at('/share-slow').length <= 2, 'the fast endpoint waited behind the slow one');
  await receiver.waitFor(() => receiver.at('/share-slow').length === 6, 15_000);
  await engine.stop();
  assert.equal(slow.most(), 2);
});

test('the fast path takes no more of an endpoint than its share; the rest follow through claims', async () => {
  const scene = newScene();
  await subscribe(scene, '/share-intake');
  const slow = slowPath('/share-intake', 300);
  const engine = newEngine(scene, {}, { concurrency: 16, endpointConcurrency: 3 });
  engine.start();
  const events = Array.from({ length: 8 }, () => jobEvent(scene, randomUUID(), 'succeeded'));
  const first = await intakeDeliveries(disp, events.slice(0, 5), 30_000, scene, [], engine.endpointRoom());
  assert.equal(first.claimed.length, 3);
  engine.deliverClaimed(first.claimed);
  const second = await intakeDeliveries(disp, events.slice(5), 30_000, scene, [], engine.endpointRoom());
  assert.equal(second.claimed.length, 0, 'the endpoint already holds its share');
  engine.kick();
  await receiver.waitFor(() => receiver.at('/share-intake').length === 8, 15_000);
  await engine.stop();
  assert.equal(slow.most(), 3);
});

test('dead-lettered after the budget, then replayed by an operator with the same webhook-id', async () => {
  const scene = newScene();
  const { subscription } = await subscribe(scene, '/down');
  let up = false;
  receiver.script('/down', () => (up ? { status: 200 } : { status: 502 }));
  const engine = newEngine(scene);
  engine.start();
  await recordEventDeliveries(disp, jobEvent(scene, randomUUID(), 'succeeded'));
  engine.kick();
  await until(async () => (await deliveryRows(scene))[0]?.status === 'dead');
  const [d] = await deliveryRows(scene);
  assert.equal(d.attempts, 3);
  up = true;
  const replayed = await withTransaction(api, (c) => replayDelivery(c, scene, d.delivery_id, 'operator-1'), { scene });
  assert.equal(replayed.audit.eventType, 'dlq_replayed');
  await assert.rejects(withTransaction(api, (c) => replayDelivery(c, scene, d.delivery_id, 'operator-1'), { scene }), /only dead-lettered/);
  engine.kick();
  await until(async () => (await deliveryRows(scene))[0]?.status === 'succeeded');
  await engine.stop();
  const got = receiver.at('/down');
  assert.equal(got.length, 4);
  assert.equal(new Set(got.map((g) => g.headers['webhook-id'])).size, 1);
  const listed = await withTransaction(api, (c) => listDeliveries(c, scene, subscription.subscriptionId), { scene });
  assert.equal(listed[0]!.status, 'succeeded');
  assert.equal(listed[0]!.responseExcerpt, undefined);
  assert.deepEqual((await attemptRows(d.delivery_id)).map((a) => a.attempt), [1, 2, 3, 4]);
});

test('replay of all dead deliveries of an endpoint in a time range', async () => {
  const scene = newScene();
  const { subscription } = await subscribe(scene, '/range');
  let up = false;
  receiver.script('/range', () => (up ? { status: 200 } : { status: 500 }));
  const engine = newEngine(scene, {}, { policy: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, retryAfterCapMs: 10 } });
  engine.start();
  for (let i = 0; i < 3; i++) await recordEventDeliveries(disp, jobEvent(scene, randomUUID(), 'succeeded'));
  engine.kick();
  await until(async () => (await deliveryRows(scene)).filter((r) => r.status === 'dead').length === 3);
  up = true;
  const none = await withTransaction(api, (c) => replayDeadDeliveries(c, scene, subscription.subscriptionId, { from: new Date(0), to: new Date(1000) }, 'op'), { scene });
  assert.equal(none.count, 0);
  const r = await withTransaction(api, (c) => replayDeadDeliveries(c, scene, subscription.subscriptionId, { from: new Date(Date.now() - 60_000), to: new Date(Date.now() + 1000) }, 'op'), { scene });
  assert.equal(r.count, 3);
  engine.kick();
  await until(async () => (await deliveryRows(scene)).every((x) => x.status === 'succeeded'));
  await engine.stop();
});

test('rotation over HTTPS: both signatures during the grace period, only the new one after', async () => {
  const scene = newScene();
  const { subscription, secret: oldSecret } = await subscribe(scene, '/rot', ['job.*'], `https://hooks.dph.test:${tlsReceiver.port}`);
  const engine = newEngine(scene, {}, { allowHttp: false });
  engine.start();
  const rotated = await withTransaction(api, (c) => rotateSubscriptionSecret(c, scene, subscription.subscriptionId, { actor: 't', graceSeconds: 2 }, deps), { scene });
  await recordEventDeliveries(disp, jobEvent(scene, randomUUID(), 'succeeded'));
  engine.kick();
  await tlsReceiver.waitFor(() => tlsReceiver.at('/rot').length === 1);
  const during = tlsReceiver.at('/rot')[0]!;
  assert.equal(String(during.headers['webhook-signature']).split(' ').length, 2);
  assert.equal(String(during.headers['x-dph-signature']).split(' ').length, 2);
  for (const s of [oldSecret!, rotated.secret]) verifyWebhook(during.headers as Record<string, string>, during.body, [s]);
  await new Promise((r) => setTimeout(r, 2_200));
  await recordEventDeliveries(disp, jobEvent(scene, randomUUID(), 'succeeded'));
  engine.kick();
  await tlsReceiver.waitFor(() => tlsReceiver.at('/rot').length === 2);
  await engine.stop();
  const later = tlsReceiver.at('/rot')[1]!;
  assert.equal(String(later.headers['webhook-signature']).split(' ').length, 1);
  verifyWebhook(later.headers as Record<string, string>, later.body, [rotated.secret]);
  assert.throws(() => verifyWebhook(later.headers as Record<string, string>, later.body, [oldSecret!]), /invalid_signature/);
});

test('a per-job callback is delivered like a one-job subscription, signed with its own secret', async () => {
  const scene = newScene();
  const jobId = randomUUID();
  const { secret, record } = await sealCallbackSecret(storage, { jobId, tenantScene: scene });
  const url = `http://127.0.0.1:${receiver.port}/cb`;
  await admin.query(
    `INSERT INTO jobs (job_id, tenant_scene, business_ref, source_type, submit_by, callback) VALUES ($1, $2, 'r', 'direct_upload', 't', $3)`,
    [jobId, scene, { url, eventFilter: ['job.succeeded'], secret: record }],
  );
  const engine = newEngine(scene);
  engine.start();
  const cb = { url, eventFilter: ['job.succeeded'] };
  assert.equal(await recordEventDeliveries(disp, jobEvent(scene, jobId, 'parsing', cb)), 0);
  assert.equal(await recordEventDeliveries(disp, jobEvent(scene, jobId, 'succeeded', cb)), 1);
  engine.kick();
  await receiver.waitFor(() => receiver.at('/cb').length === 1);
  await engine.stop();
  const got = receiver.at('/cb')[0]!;
  assert.equal(verifyWebhook(got.headers as Record<string, string>, got.body, [secret]).id.length, 36);
});

test('sustained failure disables the endpoint (audited)', async () => {
  const scene = newScene();
  const { subscription } = await subscribe(scene, '/always-down');
  receiver.script('/always-down', () => ({ status: 500 }));
  const disabled: string[] = [];
  const engine = newEngine(scene, { endpointDisabled: (r) => disabled.push(r) }, {
    policy: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, retryAfterCapMs: 10 }, disableAfterFailures: 3, disableAfterMs: 0,
  });
  engine.start();
  for (let i = 0; i < 3; i++) await recordEventDeliveries(disp, jobEvent(scene, randomUUID(), 'succeeded'));
  engine.kick();
  await until(async () => (await admin.query('SELECT status FROM webhook_subscriptions WHERE subscription_id = $1', [subscription.subscriptionId])).rows[0].status === 'disabled');
  await engine.stop();
  assert.deepEqual(disabled, ['sustained_failure']);
  const audits = await auditRows(scene);
  assert.ok(audits.some((a) => a.key === 'audit.webhook_disabled' && a.event.data.payload.reason === 'sustained_failure'));
});

test('the job event\'s trace: kept on the delivery, sent as traceparent, and carried by webhook_delivered / webhook_failed', async () => {
  const scene = newScene();
  await subscribe(scene, '/trace-ok');
  const failing = await subscribe(scene, '/trace-dead', ['job.failed']);
  receiver.script('/trace-dead', () => ({ status: 500 }));
  const traceId = randomBytes(16).toString('hex');
  const tp = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
  const ok = jobEvent(scene, randomUUID(), 'succeeded');
  const bad = jobEvent(scene, randomUUID(), 'failed');
  const untraced = jobEvent(scene, randomUUID(), 'succeeded');
  const r = await intakeDeliveries(disp, [ok, bad, untraced], null, null, [tp, tp, `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`]);
  assert.equal(r.created, 4);
  const rows = await deliveryRows(scene);
  assert.deepEqual(rows.map((x) => x.traceparent ?? 'none').sort(), ['none', tp, tp, tp].sort(), 'an invalid traceparent is not kept');
  const engine = newEngine(scene);
  engine.start();
  engine.kick();
  await until(async () => (await deliveryRows(scene)).every((x) => x.status === 'succeeded' || x.status === 'dead'));
  await engine.stop();
  const sent = receiver.at('/trace-ok').filter((x) => [ok.id, bad.id].includes(String(x.headers['webhook-id'])));
  assert.equal(sent.length, 2);
  for (const x of sent) assert.equal(x.headers.traceparent, tp, 'the request joins the job trace');
  const plain = receiver.at('/trace-ok').find((x) => x.headers['webhook-id'] === untraced.id)!;
  assert.equal(plain.headers.traceparent, undefined);
  const audits = await auditRows(scene);
  const byEvent = (type: string, id: string) => audits.find((a) => a.event.type === `dph.audit.${type}` && a.event.data.payload.eventId === id);
  assert.equal(byEvent('webhook_delivered', ok.id)?.event.data.traceId, traceId);
  assert.equal(byEvent('webhook_delivered', bad.id)?.event.data.traceId, traceId);
  const dead = byEvent('webhook_failed', bad.id);
  assert.equal(dead?.event.data.payload.subscriptionId, failing.subscription.subscriptionId);
  assert.equal(dead?.event.data.traceId, traceId);
  assert.equal(byEvent('webhook_delivered', untraced.id)?.event.data.traceId, null);
});
