import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { call, outboxRows, startHarness, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => h.close());

async function subscribe(scene = 'credit'): Promise<string> {
  const r = await call(h, 'createWebhook', 'POST', '/v1/webhooks', {
    as: 'alice', json: { tenantScene: scene, callbackUrl: 'https://127.0.0.1:9/hook', eventFilter: ['job.*'] },
  });
  assert.equal(r.status, 201, r.text);
  return r.body.subscriptionId as string;
}

/** A delivery row as the dispatcher leaves it (written as the superuser). */
async function delivery(sub: string | null, o: { status?: string; deadAt?: Date; excerpt?: string; scene?: string } = {}): Promise<string> {
  const status = o.status ?? 'dead';
  const r = await h.admin.query<{ delivery_id: string }>(
    `INSERT INTO webhook_deliveries (event_id, tenant_scene, job_id, event_type, subscription_id, endpoint_key, target_url,
       seq, status, attempts, next_attempt_at, last_status_code, error_class, response_excerpt, dead_at, payload_body)
     VALUES ($1, $2, $3, 'job.succeeded', $4, $5, 'https://127.0.0.1:9/hook', 3, $6, 5, now() + interval '1 day', 500,
       'http_status', $7, $8, '{}')
     RETURNING delivery_id`,
    [randomUUID(), o.scene ?? 'credit', randomUUID(), sub, sub ? `sub:${sub}` : `cb:${randomUUID()}`, status, o.excerpt ?? null,
      status === 'dead' ? (o.deadAt ?? new Date()) : null],
  );
  return r.rows[0]!.delivery_id;
}

async function row(id: string) {
  return (await h.admin.query('SELECT status, attempts, attempt_base, dead_at FROM webhook_deliveries WHERE delivery_id = $1', [id])).rows[0];
}

const replayAudits = (where: string, value: string) =>
  outboxRows(h, `routing_key = 'audit.dlq_replayed' AND convert_from(body, 'UTF8')::jsonb->'data'->'payload'->>'${where}' = $1`, [value]);

test('GET /v1/webhooks/{id}/deliveries: newest first with attempts and status; the response excerpt for operators only', async () => {
  const sub = await subscribe();
  const older = await delivery(sub, { excerpt: 'upstream said no' });
  const newer = await delivery(sub, { status: 'succeeded' });
  const asSubmitter = await call(h, 'listWebhookDeliveries', 'GET', `/v1/webhooks/${sub}/deliveries`, { as: 'bob' });
  assert.equal(asSubmitter.status, 200, asSubmitter.text);
  assert.deepEqual(asSubmitter.body.items.map((d: { deliveryId: string }) => d.deliveryId), [newer, older]);
  assert.equal(asSubmitter.body.items[1].status, 'dead');
  assert.equal(asSubmitter.body.items[1].attempts, 5);
  assert.equal(asSubmitter.body.items[1].lastStatusCode, 500);
  assert.ok(!asSubmitter.text.includes('upstream said no'), 'no excerpt for a submitter');
  assert.ok(asSubmitter.body.items.every((d: object) => !('responseExcerpt' in d)));
  const asOperator = await call(h, 'listWebhookDeliveries', 'GET', `/v1/webhooks/${sub}/deliveries?status=dead&limit=10`, { as: 'op-credit' });
  assert.equal(asOperator.status, 200, asOperator.text);
  assert.deepEqual(asOperator.body.items.map((d: { deliveryId: string }) => d.deliveryId), [older]);
  assert.equal(asOperator.body.items[0].responseExcerpt, 'upstream said no');
  for (const who of ['carol', 'op-hr']) {
    assert.equal((await call(h, 'listWebhookDeliveries', 'GET', `/v1/webhooks/${sub}/deliveries`, { as: who })).status, 404, who);
  }
  assert.equal((await call(h, 'listWebhookDeliveries', 'GET', `/v1/webhooks/${sub}/deliveries?status=lost`, { as: 'bob' })).status, 400);
});

test('POST /v1/webhooks/{id}/replay: operators replay the dead deliveries of a time range, audited as dlq_replayed', async () => {
  const sub = await subscribe();
  const t = Date.now();
  const inRange = [await delivery(sub, { deadAt: new Date(t - 60_000) }), await delivery(sub, { deadAt: new Date(t - 30_000) })];
  const before = await delivery(sub, { deadAt: new Date(t - 3_600_000) });
  const live = await delivery(sub, { status: 'failed' });
  const range = { since: new Date(t - 120_000).toISOString(), until: new Date(t).toISOString() };
  const denied = await call(h, 'replayWebhookDeadLetters', 'POST', `/v1/webhooks/${sub}/replay`, { as: 'alice', json: range });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error, 'forbidden');
  assert.equal((await call(h, 'replayWebhookDeadLetters', 'POST', `/v1/webhooks/${sub}/replay`, { as: 'op-hr', json: range })).status, 404);
  assert.equal((await call(h, 'replayWebhookDeadLetters', 'POST', `/v1/webhooks/${sub}/replay`, { as: 'op-credit', json: { since: range.since } })).status, 400);
  const backwards = await call(h, 'replayWebhookDeadLetters', 'POST', `/v1/webhooks/${sub}/replay`, { as: 'op-credit', json: { since: range.until, until: range.since } });
  assert.equal(backwards.status, 422);
  assert.equal((await row(inRange[0]!)).status, 'dead', 'refused requests change nothing');
  const ok = await call(h, 'replayWebhookDeadLetters', 'POST', `/v1/webhooks/${sub}/replay`, { as: 'op-credit', json: range });
  assert.equal(ok.status, 202, ok.text);
  assert.deepEqual(ok.body, { subscriptionId: sub, replayed: 2 });
  for (const id of inRange) {
    const r = await row(id);
    assert.notEqual(r.status, 'dead');
    assert.equal(r.attempt_base, 5, 'a fresh retry budget');
    assert.equal(r.dead_at, null);
  }
  assert.equal((await row(before)).status, 'dead', 'outside the range');
  assert.equal((await row(live)).status, 'failed');
  const audits = await replayAudits('subscriptionId', sub);
  assert.equal(audits.length, 1);
  assert.equal(audits[0]!.event.data.actor, 'op-credit');
  assert.equal(audits[0]!.event.data.payload.count, 2);
  assert.equal(audits[0]!.event.data.payload.kind, 'webhook');
  assert.equal((await replayAudits('subscriptionId', sub)).length, 1, 'the refused requests wrote no replay event');
});

test('POST /v1/webhooks/deliveries/{id}/replay: one dead delivery (also a per-job callback); 409 unless dead; scene grants', async () => {
  const sub = await subscribe();
  const dead = await delivery(sub);
  const callbackDead = await delivery(null);
  assert.equal((await call(h, 'replayWebhookDelivery', 'POST', `/v1/webhooks/deliveries/${dead}/replay`, { as: 'bob' })).status, 403);
  assert.equal((await call(h, 'replayWebhookDelivery', 'POST', `/v1/webhooks/deliveries/${dead}/replay`, { as: 'op-hr' })).status, 404);
  assert.equal((await call(h, 'replayWebhookDelivery', 'POST', `/v1/webhooks/deliveries/${randomUUID()}/replay`, { as: 'op-credit' })).status, 404);
  assert.equal((await call(h, 'replayWebhookDelivery', 'POST', '/v1/webhooks/deliveries/nope/replay', { as: 'op-credit' })).status, 400);
  for (const id of [dead, callbackDead]) {
    const r = await call(h, 'replayWebhookDelivery', 'POST', `/v1/webhooks/deliveries/${id}/replay`, { as: 'op-credit' });
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(r.body, { deliveryId: id, status: 'pending' });
    assert.notEqual((await row(id)).status, 'dead');
    const audits = await replayAudits('deliveryId', id);
    assert.equal(audits.length, 1);
    assert.equal(audits[0]!.event.data.tenantScene, 'credit');
    assert.ok(audits[0]!.event.data.jobId, 'the replay is on the job trail');
  }
  const again = await call(h, 'replayWebhookDelivery', 'POST', `/v1/webhooks/deliveries/${dead}/replay`, { as: 'op-credit' });
  assert.equal(again.status, 409);
  assert.equal(again.body.error, 'delivery_not_dead');
});

test('an endpoint disabled for sustained failure shows it in GET /v1/webhooks/{id}; its dead deliveries are not replayed', async () => {
  const sub = await subscribe();
  const dead = await delivery(sub);
  await h.admin.query(
    `UPDATE webhook_subscriptions SET status = 'disabled', disabled_reason = 'sustained_failure', disabled_at = now(),
            consecutive_failures = 100, last_failure_at = now() WHERE subscription_id = $1`, [sub]);
  const got = await call(h, 'getWebhook', 'GET', `/v1/webhooks/${sub}`, { as: 'bob' });
  assert.equal(got.status, 200, got.text);
  assert.equal(got.body.status, 'disabled');
  assert.equal(got.body.disabledReason, 'sustained_failure');
  assert.ok(Date.parse(got.body.disabledAt) <= Date.now());
  assert.equal(got.body.consecutiveFailures, 100);
  assert.ok(got.body.lastFailureAt);
  const one = await call(h, 'replayWebhookDelivery', 'POST', `/v1/webhooks/deliveries/${dead}/replay`, { as: 'op-credit' });
  assert.equal(one.status, 409);
  assert.equal(one.body.error, 'endpoint_disabled');
  assert.equal((await row(dead)).status, 'dead', 'rolled back');
  const range = { since: new Date(Date.now() - 60_000).toISOString(), until: new Date(Date.now() + 1000).toISOString() };
  const all = await call(h, 'replayWebhookDeadLetters', 'POST', `/v1/webhooks/${sub}/replay`, { as: 'op-credit', json: range });
  assert.equal(all.status, 409);
  assert.equal(all.body.error, 'endpoint_disabled');
});
