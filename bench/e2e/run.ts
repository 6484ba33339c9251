/**
 * `npm run bench:e2e`: small Markdown documents through the whole mesh over TLS on this machine, at a fixed rate
 * and at full speed. Prints sustained documents/s, submit→webhook latency percentiles and each service's
 * resident memory idle and under load. Figures only; nothing is asserted.
 *
 * Options: --rate 100 --duration 30 --full 3000 --concurrency 48 --scene hr
 */
import { performance } from 'node:perf_hooks';
import { clientFor, rssMb, SERVICES, stackStatus, startRecordingReceiver, submitJob, type Delivery } from '@dph/e2e/src/index.js';
import { startApiReplica, startDispatcherReplica } from './api-replica.js';

const arg = (name: string, d: number | string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : String(d);
};
const RATE = Number(arg('rate', 100));
const DURATION_S = Number(arg('duration', 30));
const FULL = Number(arg('full', 3000));
const CONCURRENCY = Number(arg('concurrency', 48));
const SCENE = String(arg('scene', 'hr'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

interface PhaseResult {
  name: string;
  submitted: number;
  accepted: number;
  errors: Map<string, number>;
  submitSeconds: number;
  completed: number;
  failedJobs: number;
  spanSeconds: number;
  latencies: number[];
  rssMax: Record<string, number>;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const st = stackStatus();
  if (!st.ready) throw new Error('the stack is not ready: npm run stack -- up');
  const pids: Record<string, number | undefined> = Object.fromEntries(SERVICES.map((s) => [s, st.components[s]?.pid]));
  const idle: Record<string, number | undefined> = Object.fromEntries(SERVICES.map((s) => [s, rssMb(pids[s])]));

  console.log('[bench:e2e] starting a load API replica with raised rate limits (see api-replica.ts)');
  const replica = await startApiReplica();
  const dispatcher = await startDispatcherReplica(SCENE);
  await sleep(2_000);
  const replicaIdle = rssMb(replica.pid);
  const dispatcherIdle = rssMb(dispatcher.pid);
  const api = clientFor('alice', replica.url);
  const receiver = await startRecordingReceiver();
  const arrivals = new Map<string, Delivery>();
  receiver.onDelivery = (d) => {
    if ((d.status === 'succeeded' || d.status === 'failed') && !arrivals.has(d.jobId)) arrivals.set(d.jobId, d);
  };
  const sub = await api.request<{ subscriptionId: string; secret: string }>('POST', '/v1/webhooks', {
    scene: SCENE,
    body: JSON.stringify({ tenantScene: SCENE, callbackUrl: receiver.url, eventFilter: ['job.succeeded', 'job.failed'] }),
  });
  receiver.addSecret(sub.secret);
  const runId = `bench-e2e-${Date.now().toString(36)}`;
  const results: PhaseResult[] = [];
  try {
    // Warm-up: JIT, pools, token cache.
    await phase('warm-up', 50, 25, 8);
    results.length = 0;
    results.push(await phase(`fixed ${RATE}/s × ${DURATION_S} s`, RATE * DURATION_S, RATE, Math.max(CONCURRENCY, 64)));
    results.push(await phase(`full speed × ${FULL}`, FULL, Infinity, CONCURRENCY));
  } finally {
    await api.request('DELETE', `/v1/webhooks/${sub.subscriptionId}`, { scene: SCENE }).catch(() => undefined);
    await Promise.allSettled([receiver.close(), api.close()]);
    await Promise.all([replica.stop(), dispatcher.stop()]);
  }
  report(results, idle, { 'orchestrator-api (load replica)': replicaIdle, 'webhook-dispatcher (scene replica)': dispatcherIdle });

  async function phase(name: string, count: number, rate: number, concurrency: number): Promise<PhaseResult> {
    console.log(`[bench:e2e] phase ${name}: ${count} documents, concurrency ${concurrency}`);
    const submitAt = new Map<string, number>();
    const errors = new Map<string, number>();
    const rssMax: Record<string, number> = {};
    const sampler = setInterval(() => {
      const sample: Record<string, number | undefined> = { ...Object.fromEntries(SERVICES.map((s) => [s, rssMb(pids[s])])), 'orchestrator-api (load replica)': rssMb(replica.pid), 'webhook-dispatcher (scene replica)': rssMb(dispatcher.pid) };
      for (const [k, v] of Object.entries(sample)) if (v !== undefined) rssMax[k] = Math.max(rssMax[k] ?? 0, v);
    }, 500);
    const t0 = now();
    const slug = `p${Math.round(t0) % 1_000_000}`;
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        if (Number.isFinite(rate)) {
          const slot = t0 + (i * 1000) / rate;
          const wait = slot - now();
          if (wait > 0) await sleep(wait);
        }
        const body = Buffer.from(`# Benchmark document ${i}\n\nA small Markdown document for the end-to-end benchmark.\n\n- item one\n- item two\n`);
        const at = now();
        try {
          const a = await submitJob(api, { name: `b${i}.md`, contentType: 'text/markdown', body, scene: SCENE, businessRef: `${runId}/${slug}/${i}`, idempotencyKey: `${runId}-${slug}-${i}` }, { type: 'direct_upload' });
          submitAt.set(a.jobId, at);
        } catch (err) {
          const code = (err as { problem?: { error?: string } }).problem?.error ?? (err as Error).name;
          errors.set(code, (errors.get(code) ?? 0) + 1);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const submitSeconds = (now() - t0) / 1000;
    const deadline = now() + 90_000;
    while (now() < deadline && [...submitAt.keys()].some((id) => !arrivals.has(id))) await sleep(200);
    clearInterval(sampler);
    const latencies: number[] = [];
    let last = t0;
    let failedJobs = 0;
    for (const [id, at] of submitAt) {
      const d = arrivals.get(id);
      if (!d) continue;
      if (d.status === 'failed') failedJobs++;
      latencies.push(d.receivedAt - at);
      last = Math.max(last, d.receivedAt);
    }
    latencies.sort((a, b) => a - b);
    const r: PhaseResult = { name, submitted: count, accepted: submitAt.size, errors, submitSeconds, completed: latencies.length, failedJobs, spanSeconds: (last - t0) / 1000, latencies, rssMax };
    console.log(`[bench:e2e]   ${r.completed}/${r.accepted} webhooks in ${r.spanSeconds.toFixed(1)} s`);
    return r;
  }
}

function report(results: PhaseResult[], idle: Record<string, number | undefined>, replicas: Record<string, number | undefined>): void {
  const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  console.log('\nend-to-end benchmark (submit over HTTPS → webhook received; TLS to Postgres, RabbitMQ, Redis, MinIO)');
  console.log('phase                       accepted  errors  submit/s  done   docs/s   p50 ms  p95 ms  p99 ms  failed');
  for (const r of results) {
    const errs = [...r.errors.values()].reduce((a, b) => a + b, 0);
    console.log(
      `${r.name.padEnd(27)} ${String(r.accepted).padStart(8)} ${String(errs).padStart(7)} ${f(r.accepted / r.submitSeconds, 1).padStart(9)} ${String(r.completed).padStart(5)} ${f(r.completed / r.spanSeconds, 1).padStart(8)} ` +
        `${f(pct(r.latencies, 50)).padStart(8)} ${f(pct(r.latencies, 95)).padStart(7)} ${f(pct(r.latencies, 99)).padStart(7)} ${String(r.failedJobs).padStart(7)}`,
    );
    if (errs) console.log(`    submission errors: ${JSON.stringify(Object.fromEntries(r.errors))}`);
  }
  console.log('\nresident memory (VmRSS, MB; services run from source under tsx, development mode)');
  console.log('service                              idle   max under load');
  const names = [...SERVICES, ...Object.keys(replicas)];
  for (const n of names) {
    const i = n in replicas ? replicas[n] : idle[n];
    const loads = results.map((r) => r.rssMax[n]).filter((v): v is number => v !== undefined);
    console.log(`${n.padEnd(34)} ${f(i ?? NaN).padStart(6)} ${f(loads.length ? Math.max(...loads) : NaN).padStart(10)}`);
  }
  console.log('\ntargets: ≥300 docs/s sustained; p95 ≤500 ms at 100 docs/s; idle RSS ≤80 MB per service');
}

main().catch((err: unknown) => {
  console.error(`[bench:e2e] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
