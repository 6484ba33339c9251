// Webhook delivery benchmark against the local stack (bounded, loopback only, self-stopping).
//   flock /tmp/dph/bench.lock node --conditions=development --import tsx bench/webhooks/run.ts \
//     [--events 20000] [--rate 1000] [--seconds 10]
// Starts the real webhook-dispatcher process (scoped to a fresh scene, fed through a queue of its own so the
// stack's running dispatcher takes none of its events), one subscription to a loopback receiver, then two phases:
//   throughput: publishes --events job events as fast as confirms allow, reports deliveries/s from the first
//               publish to the last delivery received;
//   latency:    once the first phase's audit tail has drained, publishes at --rate events/s for --seconds,
//               reports p50/p95/p99 from publish to the receiver seeing the first attempt, and where it goes.
// Each phase also prints CPU-ms per delivery of the dispatcher process and of its Postgres backends (utime+stime
// from /proc, robust to other load on the machine) and the load average.
// Profile the dispatcher: DPH_CHILD_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/dph/prof-<you>".
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startService } from '@dph/lifecycle/testing';
import { requireStack, pgClientConfig, serviceEnv, stackEnv } from '@dph/testkit';
import { withTransaction } from '@dph/db';
import { ConfirmPublisher, connectAmqp, encodeEvent } from '@dph/messaging';
import { QUEUES, type CloudEvent, type JobEventData } from '@dph/contracts';
import { createSecretBox, createSubscription, parseKey } from '@dph/webhooks';

const { values } = parseArgs({ options: { events: { type: 'string', default: '20000' }, rate: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '10' } } });
const EVENTS = Number(values.events);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);

requireStack();
const scene = `bench${randomBytes(3).toString('hex')}`;
// The stack's sealing key when it has one: its own dispatcher shares the event queue and may take some events.
const stackKey = stackEnv().DPH_WEBHOOK_SECRET_KEY_FILE;
const dir = mkdtempSync(join(tmpdir(), 'dph-bench-wh-'));
const keyPath = stackKey ?? join(dir, 'key');
if (!stackKey) writeFileSync(keyPath, randomBytes(32).toString('base64'), { mode: 0o600 });
const key = parseKey(readFileSync(keyPath));

// Receiver in a child process; arrival times are fetched by id over IPC.
const child = fork(fileURLToPath(new URL('./receiver.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
const port = await new Promise<number>((r) => child.once('message', (m: { port: number }) => r(m.port)));
async function arrivals(ids: string[]): Promise<{ requests: number; seen: Array<number | null> }> {
  return new Promise((r) => {
    child.once('message', (m: { requests: number; seen: Array<number | null> }) => r(m));
    child.send({ dump: ids });
  });
}

const api = new pg.Pool({ ...pgClientConfig('orchestrator-api'), max: 1 });
await withTransaction(api, (c) => createSubscription(c, {
  tenantScene: scene, callbackUrl: `http://127.0.0.1:${port}/hook`, eventFilter: ['job.*'], createdBy: 'bench',
}, { storage: { box: createSecretBox(key) }, urlPolicy: { allowHttp: true, allowCidrs: '127.0.0.0/8' } }), { scene });
await api.end();

const instance = `bench-${randomBytes(3).toString('hex')}`;
const queue = `dph.webhooks.bench.${scene}`;
const svc = await startService(fileURLToPath(new URL('../../services/webhook-dispatcher/src/main.ts', import.meta.url)), {
  ...serviceEnv('webhook-dispatcher'), DPH_ENV: 'development', DPH_LOG_LEVEL: 'info', DPH_HTTP_HOST: '127.0.0.1', DPH_HTTP_PORT: '0',
  DPH_WEBHOOK_SECRET_KEY_FILE: keyPath, DPH_EGRESS_ALLOW_CIDRS: '127.0.0.0/8', DPH_WEBHOOK_ONLY_SCENE: scene,
  DPH_AMQP_PREFETCH: '256', DPH_WEBHOOK_CONCURRENCY: '256', DPH_PG_POOL_MAX: '16', DPH_WEBHOOK_POLL_MS: '200',
  DPH_SERVICE_INSTANCE: instance, DPH_WEBHOOK_EVENTS_QUEUE: queue,
}).catch(async (err: unknown) => {
  child.kill();
  throw err;
});
const conn = await connectAmqp({ url: stackEnv().DPH_AMQP_URL!, caFile: stackEnv().DPH_TLS_CA_FILE! });
const pub = new ConfirmPublisher(conn);

// CPU accounting: the dispatcher process, and its Postgres backends (found by application name, sampled so a
// backend that appears mid-phase is counted from its start).
const TICK_MS = 10; // USER_HZ = 100 on Linux
function cpuMsOf(pid: number): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * TICK_MS;
  } catch {
    return null;
  }
}
const admin = new pg.Pool({ ...pgClientConfig('admin'), max: 1 });
const pgSeen = new Map<number, number>();
async function samplePg(): Promise<void> {
  const { rows } = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name LIKE $1`, [`webhook-dispatcher/${instance}%`]);
  for (const r of rows) {
    const ms = cpuMsOf(r.pid);
    if (ms !== null) pgSeen.set(r.pid, ms);
  }
}
const pgSampler = setInterval(() => void samplePg().catch(() => {}), 250);
async function cpuNow(): Promise<{ disp: number; pg: Map<number, number> }> {
  await samplePg();
  return { disp: cpuMsOf(svc.child.pid!) ?? 0, pg: new Map(pgSeen) };
}
function cpuReport(label: string, a: { disp: number; pg: Map<number, number> }, b: { disp: number; pg: Map<number, number> }, n: number): void {
  let pgMs = 0;
  for (const [pid, ms] of b.pg) pgMs += ms - (a.pg.get(pid) ?? 0);
  const disp = b.disp - a.disp;
  console.log(`  ${label} CPU: dispatcher ${disp} ms (${(disp / n).toFixed(3)} ms/delivery), its postgres backends ${pgMs} ms ` +
    `(${(pgMs / n).toFixed(3)} ms/delivery, ${b.pg.size} backends); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

function event(status: string): CloudEvent<JobEventData> {
  const jobId = randomUUID();
  const at = new Date(performance.timeOrigin + performance.now()).toISOString();
  return {
    specversion: '1.0', id: randomUUID(), source: 'bench', type: `dph.job.${status}`, time: at, subject: jobId,
    datacontenttype: 'application/json', data: { jobId, status, tenantScene: scene, businessRef: 'bench', occurredAt: at },
  };
}
const publishedAt = new Map<string, number>();
async function publish(e: CloudEvent<JobEventData>) {
  publishedAt.set(e.id, performance.timeOrigin + performance.now());
  // Straight to the dispatcher's own queue (default exchange): the stack's dispatcher never sees these events.
  await pub.publish({ exchange: '', routingKey: queue, body: encodeEvent(e), headers: {}, messageId: e.id, mandatory: true });
}
/** Waits until every id arrived (or the time is up); returns the arrival times. */
async function waitArrivals(ids: string[], ms: number): Promise<Array<number | null>> {
  const end = Date.now() + ms;
  for (;;) {
    const { seen } = await arrivals(ids);
    if (seen.every((t) => t !== null) || Date.now() > end) return seen;
    await new Promise((r) => setTimeout(r, 200));
  }
}
/** Cumulative buckets of the dispatcher's webhook_first_attempt_lag_seconds (time from a row's insert to its first attempt). */
async function lagBuckets(): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${svc.port}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^webhook_first_attempt_lag_seconds_bucket\{[^}]*\ble="([^"]+)"[^}]*\} (\d+)/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}
function lagReport(a: Map<string, number>, b: Map<string, number>): string {
  const total = (b.get('+Inf') ?? 0) - (a.get('+Inf') ?? 0);
  const le = (q: number) => [...b.keys()].find((k) => (b.get(k)! - (a.get(k) ?? 0)) >= q * total) ?? '?';
  return `row insert -> first attempt (dispatcher histogram): p50 <= ${le(0.5)} s, p99 <= ${le(0.99)} s`;
}
/**
 * Where the latency goes, per event: publish -> intake transaction start (the row's created_at: broker, consumer,
 * batcher), -> attempt start (webhook_attempts.started_at: intake statement, commit, hand-off), -> the receiver
 * seeing it (signing, HTTP). Same machine clock on all sides.
 */
async function stageReport(ids: string[], seenAt: Array<number | null>): Promise<void> {
  // Attempts are recorded in batches after the receiver answered: wait (bounded) until they all are.
  const arrived = seenAt.filter((t) => t !== null).length;
  const end = Date.now() + 30_000;
  let rows: Array<{ event_id: string; created: number; started: number }> = [];
  for (;;) {
    ({ rows } = await admin.query<{ event_id: string; created: number; started: number }>(
      `SELECT d.event_id, extract(epoch FROM d.created_at) * 1000 AS created, extract(epoch FROM a.started_at) * 1000 AS started
         FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_id = d.delivery_id AND a.attempt = 1
        WHERE d.tenant_scene = $1 AND d.event_id = ANY($2::uuid[])`, [scene, ids]));
    if (rows.length >= arrived || Date.now() > end) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (rows.length < arrived) console.log(`  (only ${rows.length} of ${arrived} first attempts recorded after 30 s)`);
  if (rows.length === 0) return;
  const byId = new Map(rows.map((r) => [r.event_id, r]));
  const stages: number[][] = [[], [], []];
  ids.forEach((id, i) => {
    const r = byId.get(id);
    const at = seenAt[i];
    if (!r || at === null || at === undefined) return;
    const pub = publishedAt.get(id)!;
    stages[0]!.push(Number(r.created) - pub);
    stages[1]!.push(Number(r.started) - Number(r.created));
    stages[2]!.push(at - Number(r.started));
  });
  const fmt = (xs: number[]) => { xs.sort((a, b) => a - b); return `p50 ${pct(xs, 50).toFixed(1)} / p99 ${pct(xs, 99).toFixed(1)} ms`; };
  console.log(`  stages (n=${stages[0]!.length}): publish -> intake start ${fmt(stages[0]!)}; intake start -> attempt start ${fmt(stages[1]!)}; ` +
    `attempt start -> receiver ${fmt(stages[2]!)}`);
}
/** Waits (at most 60 s) until no outbox row waits for the relay and the audit writer's queue is empty, then 1 s more. */
async function settle(): Promise<void> {
  const ch = await conn.createChannel();
  try {
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      const { rows } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
      const { messageCount } = await ch.checkQueue(QUEUES.audit);
      if (rows[0]!.n === 0 && messageCount === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await ch.close().catch(() => {});
  }
  await new Promise((r) => setTimeout(r, 1000));
}
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

try {
  // Warm-up (connections, JIT), not counted.
  const warm = Array.from({ length: 200 }, () => event('succeeded'));
  await Promise.all(warm.map(publish));
  await waitArrivals(warm.map((e) => e.id), 60_000);

  // Phase 1: throughput.
  const batch = Array.from({ length: EVENTS }, () => event('succeeded'));
  const cpu0 = await cpuNow();
  const t0 = performance.timeOrigin + performance.now();
  for (let i = 0; i < batch.length; i += 500) await Promise.all(batch.slice(i, i + 500).map(publish));
  const tPublished = performance.timeOrigin + performance.now();
  const seen = await waitArrivals(batch.map((e) => e.id), 180_000);
  const ok = seen.every((t) => t !== null);
  const tLast = Math.max(...seen.map((t) => t ?? 0));
  const delivered = seen.filter((t) => t !== null).length;
  console.log(`throughput: ${delivered}/${EVENTS} delivered${ok ? '' : ' (timed out)'}; publish ${(EVENTS / ((tPublished - t0) / 1000)).toFixed(0)} events/s; ` +
    `end-to-end ${(delivered / ((tLast - t0) / 1000)).toFixed(0)} deliveries/s over ${((tLast - t0) / 1000).toFixed(2)} s`);
  await new Promise((r) => setTimeout(r, 300)); // completions are recorded a few ms after the receiver answers
  const cpu1 = await cpuNow();
  cpuReport('throughput', cpu0, cpu1, delivered);

  // Phase 2: latency at a steady rate, measured once the first phase's tail has drained (its audit events
  // relayed and written), so it sees the steady state and not the end of a 10,000-event burst.
  await settle();
  const steady: CloudEvent<JobEventData>[] = [];
  const cpu2 = await cpuNow();
  const lag0 = await lagBuckets();
  const start = performance.now();
  const total = RATE * SECONDS;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const e = event('succeeded');
    steady.push(e);
    void publish(e);
  }
  const seenSteady = await waitArrivals(steady.map((e) => e.id), 60_000);
  const lat = steady.flatMap((e, i) => (seenSteady[i] === null ? [] : [seenSteady[i]! - publishedAt.get(e.id)!])).sort((a, b) => a - b);
  console.log(`latency @ ${RATE}/s for ${SECONDS}s: n=${lat.length} p50=${pct(lat, 50).toFixed(1)} ms p95=${pct(lat, 95).toFixed(1)} ms ` +
    `p99=${pct(lat, 99).toFixed(1)} ms max=${lat[lat.length - 1]!.toFixed(1)} ms (publish -> first attempt at the receiver)`);
  await new Promise((r) => setTimeout(r, 300));
  cpuReport('latency', cpu2, await cpuNow(), lat.length);
  await stageReport(steady.map((e) => e.id), seenSteady);
  console.log(`  ${lagReport(lag0, await lagBuckets())}`);
  const all = [...warm, ...batch, ...steady].map((e) => e.id);
  const final = await arrivals(all);
  console.log(`receiver saw ${final.requests} requests for ${all.length} events (${final.seen.filter((t) => t !== null).length} arrived)`);
} finally {
  const warnings = svc.output().split("\n").filter((l) => /"level":"(warn|error|fatal)"/.test(l));
  if (warnings.length) console.log(`dispatcher warnings: ${warnings.length}; first: ${warnings.slice(0, 3).join(' | ')}`);
  clearInterval(pgSampler);
  await svc.stop('SIGTERM');
  const ch = await conn.createChannel();
  await ch.deleteQueue(queue).catch(() => {});
  await ch.deleteQueue(`${queue}.dlq`).catch(() => {});
  await admin.end();
  await conn.close();
  child.disconnect();
}
