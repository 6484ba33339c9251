/**
 * The mesh as its users meet it: the four services as separate processes (the stack's), TLS on every hop, real
 * OIDC tokens. One document per source type, each with its own freshly planted PII, goes all the way through:
 * webhook (both signature schemes) → results through presigned URLs → redaction per the credit policy → audit
 * trail in order with one trace id → and the red-line scan over audit_events, logs, broker messages and /metrics.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Agent, fetch } from 'undici';
import { EXCHANGES } from '@dph/contracts';
import { objectStoreFromConfig, storageConfigFromEnv } from '@dph/storage';
import { caCert, pgAdminClientConfig, requireStack, stackEnv, stackPaths, startSampleServer, type ServedDocument } from '@dph/testkit';
import { clientFor } from '../src/client.js';
import { startRecordingReceiver, type RecordingReceiver } from '../src/receiver.js';
import { tapBroker, type BrokerTap } from '../src/broker-tap.js';
import { submitJob, stageInnerRef, type SubmitVia } from '../src/submit.js';
import { opsUrl, SERVICES, stackStatus } from '../src/stack.js';
import { htmlDoc, jsonDoc, leakForms, markdownDoc, plantValues, type Planted } from '../src/pii-fixtures.js';

interface JobView { jobId: string; status: string; errorCode: string | null; resultUrls: { md: string; json: string; chunks: string } | null }
interface AuditItem { eventType: string; actor: string; traceId: string | null; payload: Record<string, unknown>; createdAt: string }

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);
const LIFECYCLE = ['queued', 'parsing', 'postproc', 'succeeded'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Case {
  via: SubmitVia['type'];
  planted: Planted;
  name: string;
  contentType: string;
  body: Buffer;
  jobId?: string;
  view?: JobView;
}

describe('end to end through the running mesh', { timeout: 150_000 }, () => {
  const startedAt = new Date(Date.now() - 5_000);
  const runId = `e2e-${Date.now().toString(36)}`;
  let subscriptionId = '';
  const api = clientFor('alice');
  const cases: Case[] = [];
  let receiver: RecordingReceiver;
  let tap: BrokerTap;
  let sampleServer: Awaited<ReturnType<typeof startSampleServer>>;
  let db: pg.Pool;
  let logOffsets: Map<string, number>;
  const { store, close: closeStore } = objectStoreFromConfig(storageConfigFromEnv(stackEnv()));

  before(async () => {
    requireStack();
    db = new pg.Pool({ ...pgAdminClientConfig(), max: 2 });
    // Logs are scanned from here on: what earlier runs and other suites wrote is not this run's evidence.
    logOffsets = new Map(serviceLogs().map((f) => [f, statSync(f).size]));
    tap = await tapBroker([[EXCHANGES.events, '#'], [EXCHANGES.audit, '#'], [EXCHANGES.jobs, 'parse.internal.#']]);
    const tls = { cert: readFileSync(join(stackPaths().dir, 'tls', 'server.crt')), key: readFileSync(join(stackPaths().dir, 'tls', 'server.key')) };
    // The receiver is plain HTTP on loopback (allowed in development): the dispatcher's egress agent is given no CA,
    // so an HTTPS receiver with a certificate from the stack's CA fails with error_class `connect` (see report).
    receiver = await startRecordingReceiver();
    const sub = await api.request<{ subscriptionId: string; secret: string }>('POST', '/v1/webhooks', {
      scene: 'credit',
      body: JSON.stringify({ tenantScene: 'credit', callbackUrl: receiver.url, eventFilter: ['job.*'] }),
    });
    receiver.addSecret(sub.secret);
    subscriptionId = sub.subscriptionId;

    const make = (via: Case['via'], name: string, contentType: string, doc: (p: Planted, t: string) => string) => {
      const planted = plantValues();
      cases.push({ via, planted, name, contentType, body: Buffer.from(doc(planted, `${runId} ${via}`)) });
    };
    make('direct_upload', 'application.md', 'text/markdown', markdownDoc);
    make('presigned_url', '客户资料.html', 'text/html', htmlDoc);
    make('inner_oss_ref', 'profile.json', 'application/json', jsonDoc);
    const asSamples: ServedDocument[] = cases.map((c) => ({ contentType: c.contentType, body: c.body }));
    sampleServer = await startSampleServer(tls, asSamples);

    const raw = stackEnv().DPH_BUCKET_RAW ?? 'dph-raw';
    for (const [i, c] of cases.entries()) {
      let via: SubmitVia = { type: 'direct_upload' };
      if (c.via === 'presigned_url') via = { type: 'presigned_url', url: sampleServer.urlOf(asSamples[i]!) };
      if (c.via === 'inner_oss_ref') via = { type: 'inner_oss_ref', ref: await stageInnerRef(store, raw, `e2e-inbox/${runId}/${c.name}`, c) };
      const accepted = await submitJob(api, { name: c.name, contentType: c.contentType, body: c.body, scene: 'credit', businessRef: `${runId}/${c.via}`, idempotencyKey: `${runId}-${i}` }, via);
      c.jobId = accepted.jobId;
    }
    await Promise.all(cases.map(async (c) => (c.view = await follow(c.jobId!))));
    // Webhooks and audit rows arrive after the job turns terminal: wait for both, bounded.
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      const hooked = cases.every((c) => receiver.deliveries.some((d) => d.jobId === c.jobId && d.status === 'succeeded'));
      const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE job_id = ANY($1) AND event_type = 'succeeded'`, [cases.map((c) => c.jobId)]);
      if (hooked && Number(rows[0]!.n) === cases.length) break;
      await sleep(250);
    }
  });

  after(async () => {
    // A subscription to a receiver that is gone would only collect failing deliveries in the shared stack.
    if (subscriptionId) await api.request('DELETE', `/v1/webhooks/${subscriptionId}`, { scene: 'credit' }).catch(() => undefined);
    await Promise.allSettled([receiver?.close(), tap?.close(), sampleServer?.close(), api.close(), db?.end()]);
    closeStore();
  });

  async function follow(jobId: string): Promise<JobView> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      // The shared stack's API may be restarted by other work meanwhile: a dropped long-poll is simply repeated.
      const view = await api.request<JobView>('GET', `/v1/jobs/${jobId}?wait=10`, { scene: 'credit' }).catch(async (err: unknown) => {
        if (!(err instanceof TypeError)) throw err;
        await sleep(1_000);
        return undefined;
      });
      if (view && TERMINAL.has(view.status)) return view;
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${view?.status ?? 'unknown'} after 90 s`);
    }
  }

  test('every source type succeeds', () => {
    for (const c of cases) assert.equal(c.view?.status, 'succeeded', `${c.via}: ${c.view?.status} ${c.view?.errorCode ?? ''}`);
  });

  test('each job is announced by webhooks verified with both schemes, in lifecycle order', () => {
    for (const c of cases) {
      const mine = receiver.deliveries.filter((d) => d.jobId === c.jobId);
      assert.ok(mine.some((d) => d.status === 'succeeded'), `${c.via}: no job.succeeded webhook`);
      for (const d of mine) {
        assert.ok(d.verifiedDph && d.verifiedStandard, `${c.via}: ${d.type} not verified by both schemes`);
        assert.equal(d.type, `job.${d.status}`);
      }
      const order = [...new Set(mine.map((d) => d.status))].map((s) => LIFECYCLE.indexOf(s));
      assert.ok(order.every((v) => v >= 0), `${c.via}: unexpected statuses ${mine.map((d) => d.status).join(',')}`);
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `${c.via}: webhooks out of order: ${mine.map((d) => d.status).join(',')}`);
    }
    assert.equal(receiver.rejected, 0, 'a delivery failed signature verification');
  });

  test('results through the presigned URLs are redacted as the credit policy says', async () => {
    const plain = new Agent({ connect: { ca: caCert() } });
    try {
      for (const c of cases) {
        const urls = c.view!.resultUrls;
        assert.ok(urls, `${c.via}: no resultUrls`);
        for (const u of Object.values(urls)) assert.match(u, /^https:\/\/.*X-Amz-Expires=300/, 'presigned GET over HTTPS, 5 minutes');
        const get = async (u: string) => {
          const res = await fetch(u, { dispatcher: plain });
          assert.equal(res.status, 200);
          return res.text();
        };
        const md = await get(urls.md);
        const json = await get(urls.json);
        const chunks = await get(urls.chunks);
        JSON.parse(json);
        assert.ok((JSON.parse(chunks) as { chunks: unknown[] }).chunks.length > 0, 'chunks');
        for (const [what, text] of [['result.md', md], ['result.json', json], ['chunks.json', chunks]] as const) {
          // Markdown escapes (`203\\.0.113.7`) and JSON string escapes hide nothing from a reader: compare unescaped.
          const unescaped = text.replaceAll('\\', '');
          for (const v of leakForms(c.planted)) assert.ok(!unescaped.includes(v), `${c.via} ${what} still holds a planted value (${kindOf(c.planted, v)})`);
          assert.match(unescaped, /<EMAIL_ADDRESS_[0-9a-f]{12}>/, `${c.via} ${what}: e-mail pseudonym`);
          assert.match(unescaped, /<CN_MOBILE_[0-9a-f]{12}>/, `${c.via} ${what}: CN mobile pseudonym`);
          assert.ok(unescaped.includes('<US_SSN>'), `${c.via} ${what}: SSN placeholder`);
          assert.ok(unescaped.includes('<IP_ADDRESS>'), `${c.via} ${what}: IP placeholder`);
          assert.ok(unescaped.includes('<PHONE_NUMBER>'), `${c.via} ${what}: phone placeholder`);
          assert.ok(new RegExp(`\\*{12,}${c.planted.card.slice(-4)}`).test(unescaped), `${c.via} ${what}: card masked to its last four`);
        }
        if (c.via === 'direct_upload') assert.ok(md.includes('help@example.com'), 'the whitelisted lender address is kept');
      }
    } finally {
      await plain.close();
    }
  });

  test('the audit trail records every transition in order with one trace id from API to worker', async () => {
    for (const c of cases) {
      // The dispatcher's webhook_delivered rows trail the deliveries the receiver already saw: wait for them.
      const fetchTrail = () => api.request<{ items: AuditItem[] }>('GET', `/v1/jobs/${c.jobId}/audit?limit=200`, { scene: 'credit' });
      let full = await fetchTrail();
      for (let i = 0; i < 40 && !full.items.some((e) => e.eventType === 'webhook_delivered'); i++) {
        await new Promise((r) => setTimeout(r, 250));
        full = await fetchTrail();
      }
      const webhookEvents = full.items.filter((e) => e.eventType.startsWith('webhook_'));
      assert.ok(webhookEvents.length > 0 && webhookEvents.every((e) => e.eventType === 'webhook_delivered' && e.actor === 'webhook-dispatcher'), `${c.via}: deliveries audited`);
      const page = { items: full.items.filter((e) => !e.eventType.startsWith('webhook_')) };
      const types = page.items.map((e) => e.eventType).filter((t) => t !== 'pii_hit');
      // What the API and the worker emit for a successful job, in chain order.
      assert.deepEqual(types, ['submitted', 'routed', 'parsing_started', 'parsed', 'postproc_done', 'succeeded'], `${c.via}: ${types.join(',')}`);
      const all = page.items.map((e) => e.eventType);
      const firstHit = all.indexOf('pii_hit');
      assert.ok(firstHit > all.indexOf('parsed') && all.lastIndexOf('pii_hit') < all.indexOf('postproc_done'), `${c.via}: pii_hit between parsed and postproc_done`);
      const hitTypes = new Set(page.items.filter((e) => e.eventType === 'pii_hit').map((e) => String(e.payload.entity_type)));
      for (const t of ['EMAIL_ADDRESS', 'US_SSN', 'CREDIT_CARD', 'PHONE_NUMBER', 'CN_MOBILE', 'IP_ADDRESS', 'CN_ID_CARD']) assert.ok(hitTypes.has(t), `${c.via}: pii_hit for ${t}`);
      const submitted = page.items[0]!;
      assert.equal(submitted.actor, 'alice');
      assert.ok(page.items.slice(1).every((e) => e.actor === 'worker-postproc'), 'worker events');
      const traces = new Set(page.items.map((e) => e.traceId));
      assert.equal(traces.size, 1, `${c.via}: trace ids ${[...traces].join(',')}`);
      assert.match(submitted.traceId ?? '', /^[0-9a-f]{32}$/);
      // The dispatcher keeps the job event's trace on each delivery: its audit events share the job's trace id.
      for (const e of webhookEvents) assert.equal(e.traceId, submitted.traceId, `${c.via}: ${e.eventType} trace id`);
      // The worker's job events carry the same W3C trace on the broker.
      const jobEvents = tap.messages.filter((m) => m.exchange === EXCHANGES.events && m.body.includes(c.jobId!));
      assert.ok(jobEvents.length > 0, 'job events seen on dph.events');
      for (const m of jobEvents) assert.equal(String(m.headers.traceparent ?? '').split('-')[1], submitted.traceId, `${c.via}: ${m.routingKey} traceparent`);
    }
  });

  test('red line: no planted value in audit_events, service logs, broker messages or /metrics', async () => {
    const forms = cases.flatMap((c) => leakForms(c.planted));
    // Values are fresh per run, so only rows recorded since the run started can hold them.
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events a WHERE a.recorded_at >= $2 AND a::text LIKE ANY($1)`, [forms.map((f) => `%${f}%`), startedAt]);
    assert.equal(Number(rows[0]!.n), 0, 'audit_events rows hold a planted value');
    const { rows: mine } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE job_id = ANY($1)`, [cases.map((c) => c.jobId)]);
    assert.ok(Number(mine[0]!.n) >= cases.length * 10, 'the scan looked at this run\'s rows');

    for (const f of serviceLogs()) {
      const text = readFileSync(f).subarray(logOffsets.get(f) ?? 0).toString('utf8');
      for (const v of forms) assert.ok(!text.includes(v), `${f} holds a planted value`);
    }

    assert.ok(tap.messages.length >= cases.length * 10, `broker tap saw ${tap.messages.length} messages`);
    for (const m of tap.messages) for (const v of forms) assert.ok(!m.body.includes(v) && !JSON.stringify(m.headers).includes(v), `${m.exchange} ${m.routingKey} holds a planted value`);

    const st = stackStatus();
    const agent = new Agent({ connect: { ca: caCert() } });
    try {
      for (const s of SERVICES) {
        const res = await fetch(`${opsUrl(s, st)}/metrics`, { dispatcher: agent });
        assert.equal(res.status, 200, `${s} /metrics`);
        const text = await res.text();
        for (const v of forms) assert.ok(!text.includes(v), `${s} /metrics holds a planted value`);
      }
    } finally {
      await agent.close();
    }
  });
});

function serviceLogs(): string[] {
  const dir = stackPaths().logs;
  return readdirSync(dir).filter((f) => SERVICES.some((s) => f === `${s}.log`)).map((f) => join(dir, f));
}

function kindOf(p: Planted, v: string): string {
  return Object.entries(p).find(([, x]) => x === v || x.replace(/[\s-]/g, '') === v)?.[0] ?? '?';
}
