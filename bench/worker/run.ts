// Worker throughput on the real local stack: documents per second for one worker process.
// Usage (hold the shared bench lock):
//   flock /tmp/dph/bench.lock node --conditions=development --import tsx bench/worker/run.ts [--kind md|html|docx] [--n 2000] [--concurrency 16]
// Jobs, raw objects and parse tasks are prepared first; the clock runs from the worker's start until every job
// is terminal. The worker runs in this process, started as main.ts starts it (outbox relay with its LISTEN
// connection). Each job goes the whole way: fetch (SSE-KMS), detect, parse, redact, chunk, three SSE-KMS
// writes, three job steps with their outbox rows (the worker's own relay publishes them meanwhile).
// Prints docs/s, CPU-ms per document of this process (the worker) and of every minio, postgres and beam.smp
// process (from /proc/<pid>/stat; other users of the shared stack are counted there too), the load average and
// the mean time before each stage boundary. Profile with `node --cpu-prof --cpu-prof-dir=<dir> bench/worker/run.ts`.
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { rawKey, type ParseTask } from '@dph/contracts';
import { createClient, pgSettingsFromEnv } from '@dph/db';
import { deleteZone, openStack, quiet, runWorker, settings, SCENE, taskEvent, zoneName } from '../../services/worker-postproc/test/harness.js';
import { startWorker } from '../../services/worker-postproc/src/worker.js';
import * as fx from '@dph/parsing/testing';
import { QUEUES, priorityBand } from '@dph/contracts';

const { values } = parseArgs({ options: { kind: { type: 'string', default: 'md' }, n: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '16' } } });
const kind = values.kind as 'md' | 'html' | 'docx';
const n = Number(values.n);
const concurrency = Number(values.concurrency);

function markdown2k(i: number): string {
  let s = `# Report ${i}\n\nCustomer ${fx.PII.name} (${fx.PII.email}, ${fx.PII.phone}) asked about order ${i}.\n\n## Details\n\n| item | qty | note |\n| --- | --- | --- |\n`;
  let r = 0;
  while (s.length < 1900) s += `| part-${r} | ${r++} | standard shipping, no remarks |\n`;
  return s + `\nThanks.\n`;
}

const content = async (i: number): Promise<{ body: Buffer; filename: string }> => {
  if (kind === 'md') return { body: Buffer.from(markdown2k(i)), filename: 'r.md' };
  if (kind === 'html') return { body: Buffer.from(fx.bigHtml(200 * 1024)), filename: 'p.html' };
  return { body: await fx.docx(), filename: 'c.docx' };
};

const stack = await openStack(concurrency + 8);
const zone = zoneName('bench');
const s = settings(stack, zone, { concurrency, chunkProfiles: settings(stack, zone).chunkProfiles });
const setup = await runWorker(stack, s);
await setup.stop();

// Prepare: rows in one multi-row insert per batch, raw objects in parallel, tasks on one confirm channel.
const sample = await content(0);
const ids: string[] = [];
const createdAt = new Date();
const prep0 = performance.now();
const batch = 200;
const ch = await stack.amqp.createConfirmChannel();
for (let b = 0; b < n; b += batch) {
  const rows = Array.from({ length: Math.min(batch, n - b) }, () => randomUUID());
  const bodies = kind === 'md' ? await Promise.all(rows.map((_, k) => content(b + k))) : rows.map(() => sample);
  await Promise.all(rows.map((id, k) => stack.objects.store.put(stack.storage.buckets.raw, rawKey(SCENE, createdAt, id, 'bin'), bodies[k]!.body)));
  await stack.admin.query(
    `INSERT INTO public.jobs (job_id, tenant_scene, business_ref, source_type, submit_by, raw_bucket, raw_key, filename, created_at)
     SELECT id, $2, 'bench', 'direct_upload', 'bench', $3, k, $4, $5 FROM unnest($1::uuid[], $6::text[]) AS t(id, k)`,
    [rows, SCENE, stack.storage.buckets.raw, sample.filename, createdAt, rows.map((id) => rawKey(SCENE, createdAt, id, 'bin'))],
  );
  for (const id of rows) {
    const task: ParseTask = { jobId: id, tenantScene: SCENE, classification: 'internal', priority: 5, businessRef: 'bench', rawBucket: stack.storage.buckets.raw, rawKey: rawKey(SCENE, createdAt, id, 'bin'), filename: sample.filename, submittedAt: createdAt.toISOString() };
    ch.sendToQueue(QUEUES.parse(zone, priorityBand(5)), taskEvent(task), { persistent: true });
  }
  await ch.waitForConfirms();
  ids.push(...rows);
}
await ch.close();
const prepSeconds = (performance.now() - prep0) / 1000;

// CPU of the stack's processes (all processes of each name, so other users' load on them is counted too).
const TICK_MS = 10;
function stackCpuMs(): Record<string, number> {
  const out: Record<string, number> = { minio: 0, postgres: 0, 'beam.smp': 0 };
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!(comm in out)) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out[comm]! += (Number(f[11]) + Number(f[12])) * TICK_MS;
  }
  return out;
}

const registry = new Registry();
const stack0 = stackCpuMs();
const t0 = performance.now();
const cpu0 = process.cpuUsage();
// Mean time spent before each stage boundary (stage hooks: parsing = toParsing tx, fetched = S3 GET,
// parsed = detect+parse, redacted = postproc tx + redaction + chunking, stored = 3 PUTs, done = final tx).
const lastAt = new Map<string, number>();
const stageMs: Record<string, { sum: number; n: number }> = {};
const taken = new Map<string, number>();
// Started as main.ts starts it: the outbox relay also listens for the commits' NOTIFY (not only its poll).
const clients = {
  amqp: stack.amqp, pool: stack.pool, store: stack.objects.store, registry, logger: quiet,
  listenClient: () => createClient(pgSettingsFromEnv(stack.env), { applicationName: 'worker-bench/outbox-listen' }),
};
const worker = await startWorker(s, clients, { onStage: (stage, id) => {
  const now = performance.now();
  const prev = lastAt.get(id);
  if (prev !== undefined) {
    const e = (stageMs[stage] ??= { sum: 0, n: 0 });
    e.sum += now - prev;
    e.n++;
  } else taken.set(id, now);
  lastAt.set(id, now);
} });
let failed: number;
for (;;) {
  const r = await stack.admin.query<{ s: string; c: string }>(`SELECT status AS s, count(*) AS c FROM public.jobs WHERE job_id = ANY($1::uuid[]) AND status IN ('succeeded', 'failed') GROUP BY status`, [ids]);
  const done = r.rows.reduce((a, x) => a + Number(x.c), 0);
  failed = Number(r.rows.find((x) => x.s === 'failed')?.c ?? 0);
  if (done >= n) break;
  await new Promise((res) => setTimeout(res, 100));
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const stack1 = stackCpuMs();
await worker.stop();
await deleteZone(stack, zone);

// Results stay under parsed/<scene>/... for inspection; the parsed bucket's lifecycle rule expires them.
console.log(JSON.stringify({
  kind, documents: n, bytesPerDocument: sample.body.length, concurrency, cores: cpus().length,
  seconds: +seconds.toFixed(2), docsPerSecond: +(n / seconds).toFixed(1), failed,
  workerCpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
  cpuMsPerDoc: {
    worker: +((cpu.user + cpu.system) / 1e3 / n).toFixed(2),
    ...Object.fromEntries(Object.keys(stack0).map((k) => [k, +((stack1[k]! - stack0[k]!) / n).toFixed(2)])),
  },
  loadAvg: loadavg().map((x) => +x.toFixed(2)),
  prepareSeconds: +prepSeconds.toFixed(1),
  meanStageMs: Object.fromEntries(Object.entries(stageMs).map(([k, v]) => [k, +(v.sum / v.n).toFixed(1)])),
}));
await stack.close();
