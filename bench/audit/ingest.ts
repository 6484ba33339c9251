// Audit ingest benchmark: sustained events/s through the real audit-writer ingest (red-line guard on, hash chain
// on) and publish→row latency (p50/p95/p99, from the event's publish time to the moment an observer polling
// every 25 ms sees its committed row).
//
//   node --conditions=development --import tsx bench/audit/ingest.ts [--events 100000] [--batch 1000]
//        [--prefetch 4000] [--replicas 1] [--rate 0] [--prefill]
//
// --prefill publishes the whole backlog first and only then starts the writer: the rate is then the writer's own
// drain rate, independent of how fast the publisher gets CPU (latency figures are meaningless in that mode).
//
// Also printed: CPU-ms per 1,000 events of this process (the ingest replicas) and of the writers' Postgres
// backends (/proc utime+stime), which stay meaningful when other load shares the machine. Hold the shared lock:
//   flock /tmp/dph/bench.lock node --conditions=development --import tsx bench/audit/ingest.ts --events 50000 --batch 1000 --prefill
//
// Needs the local stack (npm run stack -- up). Uses a scratch database and a private exchange/queue, so neither
// the shared audit trail nor the running services are touched. The publisher runs in a child process (its own
// core); the ingest replicas run in this process, each on its own channel and pool, like separate writers.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createPool, pgSettingsFromEnv } from '@dph/db';
import { createScratchDatabase } from '@dph/db/testing';
import { verifyChain } from '@dph/audit';
import { ConfirmPublisher, makeEvent, toOutgoing } from '@dph/messaging';
import type { AuditEventData } from '@dph/contracts';
import { requireStack } from '@dph/testkit';
import { AuditIngest } from '../../services/audit-writer/src/ingest/batch-consumer.js';
import { createRedLineScan } from '../../services/audit-writer/src/domain/pii-scan.js';
import { amqpConnection, declareTestQueue, deleteTestQueue } from '../../services/audit-writer/test/support/harness.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1000' },
    prefetch: { type: 'string', default: '4000' },
    replicas: { type: 'string', default: '1' },
    rate: { type: 'string', default: '0' },
    role: { type: 'string', default: 'main' },
    exchange: { type: 'string', default: '' },
    prefill: { type: 'boolean', default: false },
  },
});
const total = Number(args.events);

async function publisherRole(): Promise<void> {
  // Child process: publish `total` pii_hit events as fast as confirms allow (or at --rate per second).
  const conn = await amqpConnection('bench-audit-publisher');
  const pub = new ConfirmPublisher(conn);
  const rate = Number(args.rate);
  const window = 2000;
  const started = Date.now();
  for (let sent = 0; sent < total; sent += window) {
    if (rate > 0) {
      const due = started + (sent / rate) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
    const n = Math.min(window, total - sent);
    await Promise.all(
      Array.from({ length: n }, (_, i) => {
        const data: AuditEventData = {
          eventType: 'pii_hit',
          jobId: randomUUID(),
          tenantScene: 'scene-bench',
          actor: 'system:worker-postproc@bench',
          payload: { entity_type: 'EMAIL_ADDRESS', start: i, end: i + 17, confidence: 0.93, recognizer: 'email-address', engine: 'builtin' },
          traceId: '0af7651916cd43dd8448eb211c80319c',
          occurredAt: new Date().toISOString(),
        };
        const e = makeEvent({ source: 'dph/bench', type: 'dph.audit.pii_hit', subject: data.jobId!, data });
        return pub.publish(toOutgoing(e, { exchange: args.exchange!, routingKey: 'audit.pii_hit' }));
      }),
    );
  }
  const secs = (Date.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ published: total, seconds: secs }) + '\n', () => {
    void pub.close().finally(() => process.exit(0));
  });
}

/** utime+stime of a process in ms (Linux /proc; clock ticks of 10 ms). 0 when it is gone. */
function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm) ": state is [0], utime [11], stime [12].
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const stage = (s: string) => process.env.BENCH_DEBUG && process.stderr.write(`[bench] ${s}\n`);
async function mainRole(): Promise<void> {
  requireStack();
  const load0 = loadavg()[0]!;
  stage('scratch db');
  const db = await createScratchDatabase();
  stage('amqp');
  const conn = await amqpConnection('bench-audit');
  const q = await declareTestQueue(conn, `bench${process.pid}`);
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const replicas = Number(args.replicas);
  const ingests = Array.from({ length: replicas }, () =>
    new AuditIngest({
      connection: conn,
      pool: createPool(db.settings('audit-writer'), { max: 2 }),
      queue: q.queue,
      batchSize: Number(args.batch),
      prefetch: Number(args.prefetch),
      scan: createRedLineScan(),
      log: quiet,
    }),
  );
  const observer = createPool(pgSettingsFromEnv({ ...db.env('admin') }), { max: 1 });
  // CPU of this process (the ingest replicas; the observer's polling is small) and of the writers' Postgres
  // backends, which are started for this run, so their whole lifetime's CPU is the run's.
  let cpu0 = process.cpuUsage();
  const writerBackends = new Set<number>();
  const sampleBackends = async () => {
    const r = await observer.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND usename = 'dph_audit_writer'`,
    );
    for (const { pid } of r.rows) writerBackends.add(pid);
  };
  const backendCpu = new Map<number, number>();
  const readBackendCpu = () => {
    for (const pid of writerBackends) {
      const ms = procCpuMs(pid);
      if (ms > 0) backendCpu.set(pid, ms);
    }
  };
  if (!args.prefill) for (const i of ingests) await i.start();
  stage('ingest started');

  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', fileURLToPath(import.meta.url),
    '--role', 'publisher', '--events', String(total), '--rate', args.rate!, '--exchange', q.exchange], { stdio: ['ignore', 'pipe', 'inherit'] });
  let pubOut = '';
  const childExit = new Promise((r) => child.once('exit', r));
  if (args.prefill) {
    await childExit;
    cpu0 = process.cpuUsage();
    for (const i of ingests) await i.start();
  }
  child.stdout.on('data', (d: Buffer) => (pubOut += d.toString()));

  const latencies: number[] = [];
  let last = 0;
  let firstSeen = 0;
  let lastSeen = 0;
  const deadline = Date.now() + Math.max(120_000, total * 2);
  while (latencies.length < total && Date.now() < deadline) {
    const r = await observer.query<{ id: string; c: number }>(
      `SELECT id, (extract(epoch FROM created_at) * 1000)::float8 AS c FROM audit_events WHERE id > $1 ORDER BY id LIMIT 50000`,
      [last],
    );
    const now = Date.now();
    for (const row of r.rows) latencies.push(now - row.c);
    if (r.rows.length > 0) {
      if (writerBackends.size < replicas * 2 || latencies.length % 10 === 0) await sampleBackends();
      readBackendCpu();
      last = Number(r.rows[r.rows.length - 1]!.id);
      firstSeen ||= now;
      lastSeen = now;
    }
    if (r.rows.length < 50000) await new Promise((res) => setTimeout(res, 25));
  }
  const cpu = process.cpuUsage(cpu0);
  readBackendCpu();
  stage(`observed ${latencies.length}`);
  await childExit;
  const pub = JSON.parse(pubOut.trim() || '{}') as { published?: number; seconds?: number };
  for (const i of ingests) await i.stop();
  const v0 = Date.now();
  const chain = await verifyChain(observer);
  const verifySecs = (Date.now() - v0) / 1000;
  latencies.sort((a, b) => a - b);
  const seconds = (lastSeen - firstSeen) / 1000;
  const summary = {
    events: total,
    rowsSeen: latencies.length,
    batchSize: Number(args.batch),
    replicas,
    mode: args.prefill ? 'prefill (drain rate)' : 'live',
    publishRatePerSec: pub.seconds ? Math.round(total / pub.seconds) : null,
    ingestRatePerSec: seconds > 0 ? Math.round(latencies.length / seconds) : null,
    latencyMs: latencies.length
      ? { p50: Math.round(pct(latencies, 50)), p95: Math.round(pct(latencies, 95)), p99: Math.round(pct(latencies, 99)), max: Math.round(latencies[latencies.length - 1]!) }
      : null,
    cpuMsPer1000: latencies.length
      ? {
          writer: Math.round(((cpu.user + cpu.system) / 1000 / latencies.length) * 1000),
          postgres: Math.round(([...backendCpu.values()].reduce((a, b) => a + b, 0) / latencies.length) * 1000),
        }
      : null,
    chainOk: chain.ok,
    verifyRowsPerSec: Math.round(chain.rowsChecked / verifySecs),
    loadAvg1m: { start: Number(load0.toFixed(1)), end: Number(loadavg()[0]!.toFixed(1)) },
  };
  console.log(JSON.stringify(summary));
  console.log(
    `audit ingest: ${summary.rowsSeen}/${total} events, ${summary.ingestRatePerSec} events/s sustained (publisher ${summary.publishRatePerSec}/s), ` +
      `publish→row p50 ${summary.latencyMs?.p50} ms, p95 ${summary.latencyMs?.p95} ms, p99 ${summary.latencyMs?.p99} ms; ` +
      `CPU-ms/1000 events writer ${summary.cpuMsPer1000?.writer}, postgres ${summary.cpuMsPer1000?.postgres}; chain ${chain.ok ? 'intact' : 'BROKEN'}; ` +
      `verify ${summary.verifyRowsPerSec} rows/s; load ${summary.loadAvg1m.start}→${summary.loadAvg1m.end} on 2 cores`,
  );
  await observer.end();
  await deleteTestQueue(conn, q);
  await conn.close();
  await db.drop();
  if (!chain.ok || latencies.length < total) process.exitCode = 1;
}

await (args.role === 'publisher' ? publisherRole() : mainRole());
