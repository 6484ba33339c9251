import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { Redis } from 'ioredis';
import { redisTlsOptions, redisUrl } from '@dph/testkit';
import { call, outboxRows, seedJob, startHarness, type Harness } from './harness.js';

let h: Harness;
let ossRef: string;
before(async () => {
  h = await startHarness();
  const key = `fixtures/${randomUUID()}.txt`;
  await h.store.put(h.settings.buckets.raw, key, 'hello', { contentType: 'text/plain' });
  ossRef = `s3://${h.settings.buckets.raw}/${key}`;
});
after(async () => h.close());

const submit = (as: string, scene: string) =>
  call(h, 'submitJob', 'POST', '/v1/jobs', {
    as, headers: { 'x-tenant-scene': scene }, json: { business_ref: `b-${randomUUID()}`, source: { type: 'inner_oss_ref', url_or_ref: ossRef } },
  });

async function deniedSince(id: bigint): Promise<{ reason: string; route: string; actor: string; raw: string }[]> {
  const rows = await outboxRows(h, `routing_key = 'audit.access_denied' AND id > $1`, [id.toString()]);
  return rows.map((r) => ({ reason: r.event.data.payload.reason, route: r.event.data.payload.route, actor: r.event.data.actor, raw: r.body.toString('utf8') }));
}
const maxOutboxId = async () => BigInt((await h.admin.query('SELECT coalesce(max(id), 0)::text AS m FROM outbox')).rows[0].m);

test('deny by default: 401 with WWW-Authenticate, audited without the token', async () => {
  const mark = await maxOutboxId();
  const none = await call(h, 'listJobs', 'GET', '/v1/jobs');
  assert.equal(none.status, 401);
  assert.equal(none.body.error, 'unauthorized');
  assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="dph"');
  const [hd, pl, sig] = (await h.token('alice')).split('.') as [string, string, string];
  const forged = `${hd}.${pl}.${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
  const bad = await call(h, 'getJob', 'GET', `/v1/jobs/${randomUUID()}`, { token: forged });
  assert.equal(bad.status, 401);
  assert.match(bad.headers.get('www-authenticate')!, /error="invalid_token"/);
  let denials = await deniedSince(mark);
  // The denial is recorded asynchronously (it must not slow the 401 down): wait for it, bounded.
  for (let i = 0; i < 50 && !denials.some((d) => d.reason === 'bad_signature'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    denials = await deniedSince(mark);
  }
  assert.ok(denials.some((d) => d.reason === 'missing_token' && d.actor === 'anonymous'), JSON.stringify(denials.map((d) => d.reason)));
  assert.ok(denials.some((d) => d.reason === 'bad_signature'), JSON.stringify(denials.map((d) => d.reason)));
  for (const d of denials) assert.ok(!d.raw.includes(forged.slice(0, 40)), 'no token in the audit event');
  // The route template names the operation, never the job id that was asked for.
  assert.ok(denials.some((d) => d.reason === 'bad_signature' && d.route === 'GET /v1/jobs/:jobId'), JSON.stringify(denials.map((d) => d.route)));
});

test('scene not in the token: 403 scene_not_granted, audited', async () => {
  const mark = await maxOutboxId();
  const r = await submit('bob', 'hr');
  assert.equal(r.status, 403);
  assert.equal(r.body.error, 'scene_not_granted');
  const op = await submit('op-credit', 'credit');
  assert.equal(op.status, 403, 'an operator role is not a submit grant');
  await new Promise((r) => setTimeout(r, 200));
  assert.ok((await deniedSince(mark)).some((d) => d.reason === 'scene_not_granted' && d.actor === 'bob'));
});

test('BOLA matrix: two subjects, two scenes, operators and auditors, every endpoint taking a job id', async () => {
  // Seeded without an outbox message, so no worker of the running stack moves them on during the test.
  const credit = await seedJob(h, 'credit', 'alice');
  const hr = await seedJob(h, 'hr', 'carol');
  // [caller, job, expected GET, expected audit GET, expected cancel, extra headers]
  const matrix: [string, string, number, number, number, Record<string, string>?][] = [
    ['bob', credit, 404, 404, 404],              // same scene, other subject
    ['carol', credit, 404, 404, 404],            // other scene
    ['op-hr', credit, 404, 404, 404],            // operator of the other scene
    ['aud-credit', hr, 404, 404, 404],           // auditor of the other scene
    ['nobody', credit, 404, 404, 404],
    ['aud-credit', credit, 200, 200, 403],       // auditor: reads, never cancels
    ['aud-all', credit, 200, 200, 403, { 'x-tenant-scene': 'credit' }],
    ['aud-all', credit, 404, 404, 404],          // a wildcard auditor names the scene
    ['alice', credit, 200, 200, 200],            // submitter
    ['op-hr', hr, 200, 200, 200],                // operator of the job's scene
  ];
  for (const [who, job, get, audit, cancel, headers] of matrix) {
    const g = await call(h, 'getJob', 'GET', `/v1/jobs/${job}`, { as: who, ...(headers ? { headers } : {}) });
    assert.equal(g.status, get, `${who} GET`);
    const a = await call(h, 'getJobAudit', 'GET', `/v1/jobs/${job}/audit`, { as: who, ...(headers ? { headers } : {}) });
    assert.equal(a.status, audit, `${who} GET audit`);
    if (cancel !== 200) {
      const c = await call(h, 'cancelJob', 'POST', `/v1/jobs/${job}/cancel`, { as: who, ...(headers ? { headers } : {}) });
      assert.equal(c.status, cancel, `${who} cancel`);
    }
    if (get === 404) assert.equal(g.body.error, 'not_found');
  }
  assert.equal((await call(h, 'cancelJob', 'POST', `/v1/jobs/${credit}/cancel`, { as: 'alice' })).status, 200);
  assert.equal((await call(h, 'cancelJob', 'POST', `/v1/jobs/${hr}/cancel`, { as: 'op-hr' })).status, 200);
  const lists: [string, string, boolean][] = [['bob', credit, false], ['op-credit', credit, true], ['carol', credit, false], ['alice', credit, true]];
  for (const [who, job, sees] of lists) {
    const l = await call(h, 'listJobs', 'GET', '/v1/jobs?limit=100', { as: who });
    assert.equal(l.body.items.some((j: { jobId: string }) => j.jobId === job), sees, `${who} list`);
  }
});

test('undeclared methods: 405 with Allow; unknown paths 404; JSON body limit 413', async () => {
  const r = await call(h, null, 'DELETE', '/v1/jobs', { as: 'alice' });
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'GET, POST, HEAD');
  assert.equal(r.body.error, 'method_not_allowed');
  const c = await call(h, null, 'GET', `/v1/jobs/${randomUUID()}/cancel`, { as: 'alice' });
  assert.equal(c.status, 405);
  assert.equal(c.headers.get('allow'), 'POST');
  const nf = await call(h, null, 'GET', '/v1/nothing', { as: 'alice' });
  assert.equal(nf.status, 404);
  const big = await call(h, 'submitJob', 'POST', '/v1/jobs', {
    as: 'alice', headers: { 'x-tenant-scene': 'credit' },
    json: { business_ref: 'x'.repeat(100 * 1024), source: { type: 'inner_oss_ref', url_or_ref: ossRef } },
  });
  assert.equal(big.status, 413);
  assert.equal(big.body.error, 'payload_too_large');
  const garbled = await call(h, 'submitJob', 'POST', '/v1/jobs', {
    as: 'alice', headers: { 'x-tenant-scene': 'credit', 'content-type': 'application/json' }, body: '{"business_ref":',
  });
  assert.equal(garbled.status, 400);
  const wrongType = await call(h, 'submitJob', 'POST', '/v1/jobs', {
    as: 'alice', headers: { 'x-tenant-scene': 'credit', 'content-type': 'text/plain' }, body: 'hi',
  });
  assert.equal(wrongType.status, 415);
});

test('oversized headers: 431 from the server; an oversized token alone 401', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const u = new URL(h.url);
    const req = request({ host: u.hostname, port: u.port, path: '/v1/jobs', headers: { authorization: `Bearer ${'a'.repeat(17 * 1024)}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 431);
  const r = await call(h, 'listJobs', 'GET', '/v1/jobs', { token: 'a'.repeat(9 * 1024) });
  assert.equal(r.status, 401);
  assert.match(r.headers.get('www-authenticate')!, /token_too_large/);
});

test('request id and traceparent on every response; a valid caller traceparent keeps its trace id', async () => {
  const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const r = await call(h, 'listJobs', 'GET', '/v1/jobs', { as: 'alice', headers: { traceparent: tp, 'x-request-id': 'req-123' } });
  assert.equal(r.headers.get('x-request-id'), 'req-123');
  assert.equal(r.headers.get('traceparent')!.slice(3, 35), '4bf92f3577b34da6a3ce929d0e0e4736');
  const anon = await call(h, 'listJobs', 'GET', '/v1/jobs');
  assert.ok(anon.headers.get('x-request-id'));
  assert.equal(anon.body.requestId, anon.headers.get('x-request-id'));
});

test('rate limits per subject over Redis (TLS): 429 + Retry-After, hashed keys that expire', async () => {
  // A private key prefix: the running stack's API shares this Redis (and demo subjects) under the default one.
  const prefix = `dph-test:rl:${randomUUID().slice(0, 8)}`;
  const limited = await startHarness({ idp: h.idp, redis: 'stack', limits: { subjectPoints: 5, scenePoints: 1000, durationSec: 30, keyPrefix: prefix } });
  const redis = new Redis(redisUrl(), { tls: redisTlsOptions() });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call(limited, 'listJobs', 'GET', '/v1/jobs', { as: 'carol' })).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    const r = await call(limited, 'listJobs', 'GET', '/v1/jobs', { as: 'carol' });
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.equal(r.body.error, 'rate_limited');
    const keys = await redis.keys(`${prefix}:subject*`);
    assert.ok(keys.length > 0);
    for (const k of keys) {
      assert.ok(!k.includes('carol'), 'limiter keys hold no raw identity');
      assert.ok((await redis.pttl(k)) > 0, 'limiter keys expire');
    }
    // another subject is not affected
    assert.equal((await call(limited, 'listJobs', 'GET', '/v1/jobs', { as: 'alice' })).status, 200);
  } finally {
    redis.disconnect();
    await limited.close();
  }
});

test('Redis down: fail-open to the in-memory insurance limiter, which still enforces the budget', async () => {
  const down = await startHarness({ idp: h.idp, redis: 'down', limits: { subjectPoints: 3, scenePoints: 1000, durationSec: 30 } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(down, 'listJobs', 'GET', '/v1/jobs', { as: 'bob' })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  } finally {
    await down.close();
  }
});

test('trust-all (development only): every response says so', async () => {
  const dev = await startHarness({ idp: h.idp, authMode: 'trust-all' });
  try {
    const r = await call(dev, 'listJobs', 'GET', '/v1/jobs');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-dph-auth-mode'), 'trust-all');
    const nf = await call(dev, null, 'GET', '/v1/nothing');
    assert.equal(nf.headers.get('x-dph-auth-mode'), 'trust-all');
  } finally {
    await dev.close();
  }
  const strict = await call(h, 'listJobs', 'GET', '/v1/jobs', { as: 'alice' });
  assert.equal(strict.headers.get('x-dph-auth-mode'), null);
});
