import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openCallbackSecret } from '@dph/webhooks';
import { call, outboxRows, seedJob, startHarness, sleep, type Harness } from './harness.js';

let h: Harness;
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n'), Buffer.alloc(2048, 0x20), Buffer.from('\n%%EOF\n')]);
let ossKey: string;

before(async () => {
  h = await startHarness();
  ossKey = `fixtures/${randomUUID()}.pdf`;
  await h.store.put(h.settings.buckets.raw, ossKey, PDF, { contentType: 'application/pdf' });
});
after(async () => h.close());

const ossBody = (ref = `s3://${h.settings.buckets.raw}/${ossKey}`, extra: Record<string, unknown> = {}) => ({
  business_ref: `loan-${randomUUID()}`, source: { type: 'inner_oss_ref', url_or_ref: ref }, priority: 8, ...extra,
});

test('inner_oss_ref: 202 with a UUIDv7 job id; job row and its three outbox messages committed together', async () => {
  const body = ossBody();
  const r = await call(h, 'submitJob', 'POST', '/v1/jobs', {
    as: 'alice', json: body, headers: { 'x-tenant-scene': 'credit', 'x-data-classification': 'confidential' },
  });
  assert.equal(r.status, 202);
  assert.equal(r.body.status, 'queued');
  assert.match(r.body.jobId, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(r.headers.get('x-request-id'));
  const job = (await h.admin.query('SELECT * FROM jobs WHERE job_id = $1', [r.body.jobId])).rows[0];
  assert.equal(job.submit_by, 'alice');
  assert.equal(job.tenant_scene, 'credit');
  assert.equal(job.data_classification, 'confidential');
  assert.equal(job.raw_key, ossKey);
  // Only the API's own messages: the stack's worker may already be processing the job and adding its own.
  const msgs = (await outboxRows(h, `convert_from(body, 'UTF8')::jsonb->>'subject' = $1`, [r.body.jobId]))
    .filter((m) => m.event.source === h.settings.source);
  const keys = msgs.map((m) => `${m.exchange} ${m.routing_key}`).sort();
  assert.deepEqual(keys, ['dph.audit audit.submitted', 'dph.events job.queued', 'dph.jobs parse.confidential.high']);
  const parse = msgs.find((m) => m.exchange === 'dph.jobs')!;
  assert.equal(parse.mandatory, true);
  assert.equal(parse.event.specversion, '1.0');
  assert.equal(parse.event.data.rawKey, ossKey);
  const audit = msgs.find((m) => m.exchange === 'dph.audit')!;
  assert.equal(audit.event.data.actor, 'alice');
  assert.equal(audit.event.data.traceId, r.headers.get('traceparent')!.slice(3, 35), 'the trace id goes with the audit event');
  assert.equal(audit.headers.traceparent, r.headers.get('traceparent'));
});

test('inner_oss_ref: missing object 422 source_not_found; other bucket 422 source_ref_not_allowed', async () => {
  const missing = await call(h, 'submitJob', 'POST', '/v1/jobs', {
    as: 'alice', json: ossBody(`s3://${h.settings.buckets.raw}/fixtures/${randomUUID()}.pdf`), headers: { 'x-tenant-scene': 'credit' },
  });
  assert.equal(missing.status, 422);
  assert.equal(missing.body.error, 'source_not_found');
  const other = await call(h, 'submitJob', 'POST', '/v1/jobs', {
    as: 'alice', json: ossBody(`s3://${h.settings.buckets.audit}/x.pdf`), headers: { 'x-tenant-scene': 'credit' },
  });
  assert.equal(other.status, 422);
  assert.equal(other.body.error, 'source_ref_not_allowed');
});

test('direct_upload: multipart streamed to the raw bucket, type sniffed from content', async () => {
  const form = new FormData();
  form.set('business_ref', 'upload-1');
  form.set('priority', '2');
  // Misleading name and type: the content decides.
  form.set('file', new Blob([PDF], { type: 'text/plain' }), 'notes.txt');
  const r = await call(h, 'submitJob', 'POST', '/v1/jobs', { as: 'alice', body: form, headers: { 'x-tenant-scene': 'uploads' } });
  assert.equal(r.status, 202, r.text);
  const job = (await h.admin.query('SELECT * FROM jobs WHERE job_id = $1', [r.body.jobId])).rows[0];
  assert.equal(job.document_type, 'pdf-native');
  assert.match(job.raw_key, new RegExp(`^raw/uploads/\\d{4}/\\d{2}/\\d{2}/${r.body.jobId}\\.pdf$`));
  const meta = await h.store.head(h.settings.buckets.raw, job.raw_key);
  assert.equal(meta.contentLength, PDF.length);
  assert.equal(meta.serverSideEncryption, 'aws:kms');
  const parse = (await outboxRows(h, `convert_from(body, 'UTF8')::jsonb->>'subject' = $1 AND exchange = 'dph.jobs'`, [r.body.jobId]))[0]!;
  assert.equal(parse.routing_key, 'parse.internal.low');
});

test('direct_upload over the limit: 413 payload_too_large and no object left behind', async () => {
  const prefix = `raw/uploads/`;
  const before = (await h.store.list(h.settings.buckets.raw, prefix, { limit: 1000 })).length;
  const form = new FormData();
  form.set('business_ref', 'too-big');
  form.set('file', new Blob([Buffer.alloc(h.settings.maxUploadBytes + 64 * 1024, 0x61)]), 'big.txt');
  const r = await call(h, 'submitJob', 'POST', '/v1/jobs', { as: 'alice', body: form, headers: { 'x-tenant-scene': 'uploads' } });
  assert.equal(r.status, 413);
  assert.equal(r.body.error, 'payload_too_large');
  const after = (await h.store.list(h.settings.buckets.raw, prefix, { limit: 1000 })).length;
  assert.equal(after, before);
  const jobs = await h.admin.query(`SELECT 1 FROM jobs WHERE business_ref = 'too-big'`);
  assert.equal(jobs.rowCount, 0);
});

test('direct_upload form errors: missing file, unknown field, bad priority, empty document', async () => {
  const cases: [FormData, string][] = [];
  const noFile = new FormData();
  noFile.set('business_ref', 'x');
  cases.push([noFile, 'no file']);
  const unknown = new FormData();
  unknown.set('business_ref', 'x');
  unknown.set('colour', 'red');
  unknown.set('file', new Blob(['hello']), 'a.txt');
  cases.push([unknown, 'unknown field']);
  const prio = new FormData();
  prio.set('business_ref', 'x');
  prio.set('priority', '12');
  prio.set('file', new Blob(['hello']), 'a.txt');
  cases.push([prio, 'priority']);
  const nul = new FormData();
  nul.set('business_ref', 'a\u0000b');
  nul.set('file', new Blob(['hello']), 'a.txt');
  cases.push([nul, 'NUL in a form field']);
  for (const [form, what] of cases) {
    const r = await call(h, 'submitJob', 'POST', '/v1/jobs', { as: 'alice', body: form, headers: { 'x-tenant-scene': 'uploads' } });
    assert.equal(r.status, 400, what);
    assert.equal(r.body.error, 'validation_failed', what);
  }
  const empty = new FormData();
  empty.set('business_ref', 'x');
  empty.set('file', new Blob([]), 'a.txt');
  const e = await call(h, 'submitJob', 'POST', '/v1/jobs', { as: 'alice', body: empty, headers: { 'x-tenant-scene': 'uploads' } });
  assert.equal(e.status, 422);
  assert.equal(e.body.error, 'empty_content');
  const exe = new FormData();
  exe.set('business_ref', 'x');
  exe.set('file', new Blob([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]), 'a.pdf');
  const r = await call(h, 'submitJob', 'POST', '/v1/jobs', { as: 'alice', body: exe, headers: { 'x-tenant-scene': 'uploads' } });
  assert.equal(r.status, 415);
  assert.equal(r.body.error, 'unsupported_media_type');
});

test('presigned_url: fetched through the egress guard and copied to the raw bucket; private targets refused', async () => {
  const srv = createServer((req, res) => {
    if (req.url?.startsWith('/doc.md')) res.writeHead(200, { 'content-type': 'text/markdown' }).end('# Title\n\nSome text.\n');
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  try {
    const ok = await call(h, 'submitJob', 'POST', '/v1/jobs', {
      as: 'alice', headers: { 'x-tenant-scene': 'credit' },
      json: { business_ref: 'url-1', source: { type: 'presigned_url', url_or_ref: `http://127.0.0.1:${port}/doc.md?X-Amz-Signature=secret` } },
    });
    assert.equal(ok.status, 202, ok.text);
    const job = (await h.admin.query('SELECT * FROM jobs WHERE job_id = $1', [ok.body.jobId])).rows[0];
    assert.equal(job.document_type, 'md');
    assert.equal(job.source_ref, `http://127.0.0.1:${port}/doc.md`, 'the query string (signature) is not stored');
    assert.equal((await h.store.head(h.settings.buckets.raw, job.raw_key)).contentLength, 20);
    const missing = await call(h, 'submitJob', 'POST', '/v1/jobs', {
      as: 'alice', headers: { 'x-tenant-scene': 'credit' },
      json: { business_ref: 'url-2', source: { type: 'presigned_url', url_or_ref: `http://127.0.0.1:${port}/gone` } },
    });
    assert.equal(missing.status, 502);
    assert.equal(missing.body.error, 'source_fetch_failed');
    for (const target of ['http://169.254.169.254/latest/meta-data', 'http://10.0.0.1/x', 'http://[::ffff:192.168.0.1]/x']) {
      const denied = await call(h, 'submitJob', 'POST', '/v1/jobs', {
        as: 'alice', headers: { 'x-tenant-scene': 'credit' },
        json: { business_ref: 'url-3', source: { type: 'presigned_url', url_or_ref: target } },
      });
      assert.equal(denied.status, 422, target);
      assert.equal(denied.body.error, 'egress_denied', target);
    }
  } finally {
    srv.close();
  }
});

test('idempotency: replay 200 + Idempotent-Replayed; other request 409 with existingJobId', async () => {
  const key = `k-${randomUUID()}`;
  const body = ossBody();
  const headers = { 'x-tenant-scene': 'credit', 'x-idempotency-key': key };
  const first = await call(h, 'submitJob', 'POST', '/v1/jobs', { as: 'alice', json: body, headers });
  assert.equal(first.status, 202);
  const again = await call(h, 'submitJob', 'POST', '/v1/jobs', { as: 'alice', json: body, headers });
  assert.equal(again.status, 200);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(again.body, first.body);
  const other = await call(h, 'submitJob', 'POST', '/v1/jobs', { as: 'alice', json: { ...body, priority: 1 }, headers });
  assert.equal(other.status, 409);
  assert.equal(other.body.error, 'duplicate_idempotency_key');
  assert.equal(other.body.existingJobId, first.body.jobId);
  // Keys are per subject: bob reusing alice's key neither collides nor learns her job id.
  const bob = await call(h, 'submitJob', 'POST', '/v1/jobs', { as: 'bob', json: body, headers });
  assert.equal(bob.status, 202);
  assert.notEqual(bob.body.jobId, first.body.jobId);
});

test('idempotency under 20 concurrent identical requests: one job', async () => {
  const key = `c-${randomUUID()}`;
  const body = ossBody();
  const token = await h.token('alice');
  const results = await Promise.all(Array.from({ length: 20 }, () =>
    call(h, 'submitJob', 'POST', '/v1/jobs', { token, json: body, headers: { 'x-tenant-scene': 'credit', 'x-idempotency-key': key } })));
  const statuses = results.map((r) => r.status).sort();
  assert.equal(statuses.filter((s) => s === 202).length, 1, statuses.join());
  assert.equal(statuses.filter((s) => s === 200).length, 19, statuses.join());
  assert.equal(new Set(results.map((r) => r.body.jobId)).size, 1);
  const rows = await h.admin.query('SELECT count(*)::int AS n FROM jobs WHERE business_ref = $1', [body.business_ref]);
  assert.equal(rows.rows[0].n, 1);
  const concurrentUploads = await Promise.all(Array.from({ length: 5 }, () => {
    const form = new FormData();
    form.set('business_ref', `u-${key}`);
    form.set('file', new Blob([PDF]), 'a.pdf');
    return call(h, 'submitJob', 'POST', '/v1/jobs', { token, body: form, headers: { 'x-tenant-scene': 'uploads', 'x-idempotency-key': `u-${key}` } });
  }));
  assert.equal(concurrentUploads.filter((r) => r.status === 202).length, 1);
  const up = await h.admin.query('SELECT raw_key FROM jobs WHERE business_ref = $1', [`u-${key}`]);
  assert.equal(up.rowCount, 1);
  const objs = await h.store.list(h.settings.buckets.raw, up.rows[0].raw_key.replace(/[^/]+$/, ''), { limit: 1000 });
  const ours = objs.filter((o) => concurrentUploads.some((r) => o.key.includes(r.body.jobId)));
  assert.equal(ours.length, 1, 'replayed uploads leave no orphan objects');
});

test('idempotency key required when configured (production)', async () => {
  const strict = await startHarness({ settings: { requireIdempotencyKey: true }, idp: h.idp });
  try {
    const r = await call(strict, 'submitJob', 'POST', '/v1/jobs', { as: 'alice', json: ossBody(), headers: { 'x-tenant-scene': 'credit' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'idempotency_key_required');
  } finally {
    await strict.close();
  }
});

test('GET job, long-poll, cancel, already_terminal, job.cancelled emitted', async () => {
  const id = await seedJob(h, 'credit', 'alice');
  const got = await call(h, 'getJob', 'GET', `/v1/jobs/${id}`, { as: 'alice' });
  assert.equal(got.status, 200);
  assert.equal(got.body.status, 'queued');
  assert.equal(got.body.resultUrls, null);
  const poll = call(h, 'getJob', 'GET', `/v1/jobs/${id}?wait=10`, { as: 'alice' });
  await sleep(300);
  const c = await call(h, 'cancelJob', 'POST', `/v1/jobs/${id}/cancel`, { as: 'alice' });
  assert.equal(c.status, 200);
  assert.deepEqual(c.body, { cancelled: true, jobId: id, status: 'cancelled' });
  const polled = await poll;
  assert.equal(polled.body.status, 'cancelled', 'the long poll returned the new status');
  const again = await call(h, 'cancelJob', 'POST', `/v1/jobs/${id}/cancel`, { as: 'alice' });
  assert.equal(again.status, 409);
  assert.equal(again.body.error, 'already_terminal');
  const msgs = await outboxRows(h, `convert_from(body, 'UTF8')::jsonb->>'subject' = $1`, [id]);
  assert.ok(msgs.some((m) => m.routing_key === 'job.cancelled'));
  assert.ok(msgs.some((m) => m.routing_key === 'audit.cancelled' && m.event.data.actor === 'alice'));
});

test('succeeded job: result URLs are presigned GETs valid for 5 minutes', async () => {
  const id = await seedJob(h, 'credit', 'alice');
  const base = `parsed/credit/test/${id}`;
  for (const f of ['result.md', 'result.json', 'chunks.json']) await h.store.put(h.settings.buckets.parsed, `${base}/${f}`, `content of ${f}`);
  for (const s of ['parsing', 'postproc', 'succeeded']) {
    await h.admin.query(`UPDATE jobs SET status = $2, result_keys = $3 WHERE job_id = $1`, [id, s,
      { md: `${base}/result.md`, json: `${base}/result.json`, chunks: `${base}/chunks.json` }]);
  }
  const got = await call(h, 'getJob', 'GET', `/v1/jobs/${id}`, { as: 'alice' });
  assert.equal(got.body.status, 'succeeded');
  assert.equal(got.body.progress, 100);
  for (const k of ['md', 'json', 'chunks']) {
    const u = new URL(got.body.resultUrls[k]);
    assert.equal(u.searchParams.get('X-Amz-Expires'), '300');
  }
});

test('GET /v1/jobs lists the caller\'s jobs, operators see the scene, cursor pagination, page size clamped', async () => {
  const ref = `list-${randomUUID()}`;
  for (const who of ['alice', 'alice', 'bob']) {
    await call(h, 'submitJob', 'POST', '/v1/jobs', { as: who, json: { ...ossBody(), business_ref: ref }, headers: { 'x-tenant-scene': 'credit' } });
  }
  const mine = await call(h, 'listJobs', 'GET', `/v1/jobs?business_ref=${ref}`, { as: 'alice' });
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.body.items.length, 2);
  const op = await call(h, 'listJobs', 'GET', `/v1/jobs?business_ref=${ref}&scene=credit`, { as: 'op-credit' });
  assert.equal(op.body.items.length, 3);
  const p1 = await call(h, 'listJobs', 'GET', `/v1/jobs?business_ref=${ref}&limit=1`, { as: 'alice' });
  assert.equal(p1.body.items.length, 1);
  assert.ok(p1.body.nextCursor);
  const p2 = await call(h, 'listJobs', 'GET', `/v1/jobs?business_ref=${ref}&limit=1&cursor=${p1.body.nextCursor}`, { as: 'alice' });
  assert.equal(p2.body.items.length, 1);
  assert.notEqual(p2.body.items[0].jobId, p1.body.items[0].jobId);
  assert.equal(p2.body.nextCursor, null, 'the last page has no cursor');
  const big = await call(h, 'listJobs', 'GET', `/v1/jobs?limit=100000`, { as: 'op-credit' });
  assert.equal(big.status, 200);
  assert.ok(big.body.items.length <= 100);
  const bad = await call(h, 'listJobs', 'GET', `/v1/jobs?cursor=garbage`, { as: 'alice' });
  assert.equal(bad.status, 400);
  const denied = await call(h, 'listJobs', 'GET', `/v1/jobs?scene=hr`, { as: 'bob' });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error, 'scene_not_granted');
});

test('per-job callback: checked by the SSRF guard, stored with the job and carried by its events', async () => {
  const denied = await call(h, 'submitJob', 'POST', '/v1/jobs', {
    as: 'alice', headers: { 'x-tenant-scene': 'credit' }, json: ossBody(undefined, { callback: { url: 'https://10.1.2.3/hook' } }),
  });
  assert.equal(denied.status, 422);
  assert.equal(denied.body.error, 'egress_denied');
  const creds = await call(h, 'submitJob', 'POST', '/v1/jobs', {
    as: 'alice', headers: { 'x-tenant-scene': 'credit' }, json: ossBody(undefined, { callback: { url: 'https://u:p@127.0.0.1:9/hook' } }),
  });
  assert.equal(creds.status, 422);
  const ok = await call(h, 'submitJob', 'POST', '/v1/jobs', {
    as: 'alice', headers: { 'x-tenant-scene': 'credit' },
    json: ossBody(undefined, { callback: { url: 'https://127.0.0.1:9/hook', event_filter: ['job.succeeded'] } }),
  });
  assert.equal(ok.status, 202, ok.text);
  assert.match(ok.body.callbackSecret, /^whsec_[A-Za-z0-9+/=]{20,}$/, 'the callback secret is shown once');
  const job = (await h.admin.query('SELECT callback FROM jobs WHERE job_id = $1', [ok.body.jobId])).rows[0];
  const { secret: sealed, ...target } = job.callback;
  assert.deepEqual(target, { url: 'https://127.0.0.1:9/hook', eventFilter: ['job.succeeded'] });
  assert.ok(!JSON.stringify(sealed).includes(ok.body.callbackSecret.slice(6)), 'stored sealed, never in clear');
  assert.equal(await openCallbackSecret(h.webhookStorage, ok.body.jobId, sealed), ok.body.callbackSecret, 'the dispatcher can open it');
  const queued = (await outboxRows(h, `routing_key = 'job.queued' AND convert_from(body, 'UTF8')::jsonb->>'subject' = $1`, [ok.body.jobId]))[0]!;
  assert.deepEqual(queued.event.data.callback, { url: 'https://127.0.0.1:9/hook', eventFilter: ['job.succeeded'] }, 'events carry no secret');
});

test('presigned_url over the size cap: 413 and nothing stored', async () => {
  const srv = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(Buffer.alloc(h.settings.sourceMaxBytes + 4096, 0x62)));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const ref = `big-${randomUUID()}`;
    const r = await call(h, 'submitJob', 'POST', '/v1/jobs', {
      as: 'alice', headers: { 'x-tenant-scene': 'credit' },
      json: { business_ref: ref, source: { type: 'presigned_url', url_or_ref: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/big.txt` } },
    });
    assert.equal(r.status, 413);
    assert.ok(['source_too_large', 'payload_too_large'].includes(r.body.error), r.body.error);
    assert.equal((await h.admin.query('SELECT 1 FROM jobs WHERE business_ref = $1', [ref])).rowCount, 0);
  } finally {
    srv.close();
  }
});

test('a NUL character in a query, path or JSON value is a 400 validation_failed, never a database 500', async () => {
  const list = await call(h, 'listJobs', 'GET', '/v1/jobs?business_ref=a%00b', { as: 'alice' });
  assert.equal(list.status, 400, list.text);
  assert.equal(list.body.error, 'validation_failed');
  assert.equal(list.body.errors[0].location, 'query.business_ref');
  const json = await call(h, 'submitJob', 'POST', '/v1/jobs', { as: 'alice', json: { ...ossBody(), business_ref: 'a\u0000b' }, headers: { 'x-tenant-scene': 'credit' } });
  assert.equal(json.status, 400, json.text);
  assert.equal(json.body.error, 'validation_failed');
  const path = await call(h, 'getJob', 'GET', '/v1/jobs/%00', { as: 'alice' });
  assert.equal(path.status, 400, path.text);
});
