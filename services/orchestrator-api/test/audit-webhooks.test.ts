import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { call, outboxRows, seedJob, startHarness, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => h.close());

async function audit(jobId: string | null, scene: string, type: string, actor: string, payload: Record<string, unknown> = {}) {
  await h.admin.query(
    `INSERT INTO audit_events (event_id, job_id, tenant_scene, event_type, actor, payload, trace_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [randomUUID(), jobId, scene, type, actor, payload, 'ab'.repeat(16)],
  );
}

test('GET /v1/jobs/{id}/audit: the job trail, oldest first, paginated', async () => {
  const job = await seedJob(h, 'credit', 'alice');
  await audit(job, 'credit', 'submitted', 'alice');
  await audit(job, 'credit', 'parsing_started', 'system:worker-postproc@w1');
  await audit(job, 'credit', 'pii_hit', 'system:worker-postproc@w1', { entity_type: 'EMAIL_ADDRESS', start: 3, end: 20, confidence: 0.99 });
  const p1 = await call(h, 'getJobAudit', 'GET', `/v1/jobs/${job}/audit?limit=2`, { as: 'alice' });
  assert.equal(p1.status, 200);
  assert.deepEqual(p1.body.items.map((e: { eventType: string }) => e.eventType), ['submitted', 'parsing_started']);
  assert.equal(p1.body.items[0].traceId, 'ab'.repeat(16));
  const p2 = await call(h, 'getJobAudit', 'GET', `/v1/jobs/${job}/audit?limit=2&cursor=${p1.body.nextCursor}`, { as: 'alice' });
  assert.deepEqual(p2.body.items.map((e: { eventType: string }) => e.eventType), ['pii_hit']);
  assert.equal(p2.body.nextCursor, null);
  const bad = await call(h, 'getJobAudit', 'GET', `/v1/jobs/${job}/audit?cursor=bm9wZQ`, { as: 'alice' });
  assert.equal(bad.status, 400);
});

test('GET /v1/audit: auditors of the scene only; filters by type and actor', async () => {
  const actor = `exporter-${randomUUID().slice(0, 8)}`;
  await audit(null, 'credit', 'audit_exported', actor, { rows: 1 });
  await audit(null, 'hr', 'audit_exported', actor, { rows: 2 });
  const r = await call(h, 'queryAudit', 'GET', `/v1/audit?scene=credit&event_type=audit_exported&actor=${actor}`, { as: 'aud-credit' });
  assert.equal(r.status, 200);
  assert.equal(r.body.items.length, 1);
  assert.equal(r.body.items[0].tenantScene, 'credit');
  const other = await call(h, 'queryAudit', 'GET', `/v1/audit?scene=hr&actor=${actor}`, { as: 'aud-credit' });
  assert.equal(other.status, 403);
  assert.equal(other.body.error, 'forbidden');
  const global = await call(h, 'queryAudit', 'GET', `/v1/audit?scene=hr&actor=${actor}`, { as: 'aud-all' });
  assert.equal(global.body.items.length, 1);
  for (const who of ['alice', 'op-credit']) {
    assert.equal((await call(h, 'queryAudit', 'GET', '/v1/audit?scene=credit', { as: who })).status, 403, who);
  }
  const missingScene = await call(h, 'queryAudit', 'GET', '/v1/audit', { as: 'aud-all' });
  assert.equal(missingScene.status, 400);
});

test('POST /v1/audit/exports: NDJSON and CSV in the archive bucket, presigned link, and the export is audited', async () => {
  const job = await seedJob(h, 'credit', 'alice');
  await audit(job, 'credit', 'submitted', '=HYPERLINK("x")');
  const since = new Date(Date.now() - 60_000).toISOString();
  for (const format of ['ndjson', 'csv'] as const) {
    const r = await call(h, 'exportAudit', 'POST', '/v1/audit/exports', { as: 'aud-credit', json: { format, scene: 'credit', since } });
    assert.equal(r.status, 201, r.text);
    assert.ok(r.body.rowCount >= 1);
    const url = new URL(r.body.url);
    assert.equal(url.searchParams.get('X-Amz-Expires'), '300');
    const key = decodeURIComponent(url.pathname.split('/').slice(2).join('/'));
    const obj = await h.store.get(h.settings.buckets.audit, key);
    const chunks: Buffer[] = [];
    for await (const c of obj.body) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    assert.ok(text.includes(job));
    if (format === 'csv') assert.ok(text.includes(`'=HYPERLINK`), 'formula cells are neutralised');
    else assert.equal(JSON.parse(text.split('\n')[0]!).tenantScene, 'credit');
    const ev = await outboxRows(h, `routing_key = 'audit.audit_exported' AND convert_from(body, 'UTF8')::jsonb->'data'->'payload'->>'exportId' = $1`, [r.body.exportId]);
    assert.equal(ev.length, 1);
    assert.equal(ev[0]!.event.data.actor, 'aud-credit');
  }
  const denied = await call(h, 'exportAudit', 'POST', '/v1/audit/exports', { as: 'alice', json: { format: 'csv', scene: 'credit' } });
  assert.equal(denied.status, 403);
});

test('webhooks: create (secret once), get, list, rotate, delete; other scenes see nothing', async () => {
  const created = await call(h, 'createWebhook', 'POST', '/v1/webhooks', {
    as: 'alice', json: { tenantScene: 'credit', callbackUrl: 'https://127.0.0.1:9/hook', eventFilter: ['job.succeeded', 'job.failed'] },
  });
  assert.equal(created.status, 201, created.text);
  assert.match(created.body.secret, /^whsec_/);
  const id = created.body.subscriptionId;
  const got = await call(h, 'getWebhook', 'GET', `/v1/webhooks/${id}`, { as: 'alice' });
  assert.equal(got.status, 200);
  assert.deepEqual(got.body.eventFilter, ['job.failed', 'job.succeeded']);
  assert.ok(!('secret' in got.body));
  const row = (await h.admin.query('SELECT secret_ciphertext FROM webhook_subscriptions WHERE subscription_id = $1', [id])).rows[0];
  assert.ok(!row.secret_ciphertext.toString('latin1').includes(created.body.secret.slice(6, 20)), 'sealed at rest');
  const list = await call(h, 'listWebhooks', 'GET', '/v1/webhooks?scene=credit', { as: 'bob' });
  assert.ok(list.body.items.some((s: { subscriptionId: string }) => s.subscriptionId === id), 'the scene shares its subscriptions');
  assert.equal((await call(h, 'getWebhook', 'GET', `/v1/webhooks/${id}`, { as: 'carol' })).status, 404);
  assert.equal((await call(h, 'rotateWebhookSecret', 'POST', `/v1/webhooks/${id}/rotate-secret`, { as: 'carol' })).status, 404);
  assert.equal((await call(h, 'deleteWebhook', 'DELETE', `/v1/webhooks/${id}`, { as: 'carol' })).status, 404);
  const rotated = await call(h, 'rotateWebhookSecret', 'POST', `/v1/webhooks/${id}/rotate-secret`, { as: 'alice' });
  assert.equal(rotated.status, 200, rotated.text);
  assert.notEqual(rotated.body.secret, created.body.secret);
  assert.ok(Date.parse(rotated.body.previousSecretExpiresAt) > Date.now());
  const del = await call(h, 'deleteWebhook', 'DELETE', `/v1/webhooks/${id}`, { as: 'alice' });
  assert.equal(del.status, 204);
  const after = await call(h, 'getWebhook', 'GET', `/v1/webhooks/${id}`, { as: 'alice' });
  assert.ok(after.status === 404 || after.body.status === 'disabled');
  const wrongScene = await call(h, 'createWebhook', 'POST', '/v1/webhooks', {
    as: 'bob', json: { tenantScene: 'hr', callbackUrl: 'https://127.0.0.1:9/hook' },
  });
  assert.equal(wrongScene.status, 403);
  const ssrf = await call(h, 'createWebhook', 'POST', '/v1/webhooks', {
    as: 'alice', json: { tenantScene: 'credit', callbackUrl: 'https://169.254.169.254/latest' },
  });
  assert.equal(ssrf.status, 422);
  assert.equal(ssrf.body.error, 'egress_denied');
  const secretEvents = await outboxRows(h, `routing_key = 'audit.secret_rotated' AND convert_from(body, 'UTF8')::jsonb->'data'->'payload'->>'subscriptionId' = $1`, [id]);
  assert.equal(secretEvents.length, 1);
  assert.ok(!secretEvents[0]!.body.toString('utf8').includes(rotated.body.secret), 'no secret in the audit event');
});
