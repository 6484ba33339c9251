// orchestrator-api benchmark: POST /v1/jobs with an inner_oss_ref and with a 64 KiB direct_upload, against the real
// service process (src/main.ts: JWT verification, Redis rate limits, MinIO HEAD/PUT over TLS, one Postgres
// statement per job writing it with its three outbox rows, the outbox relay publishing to RabbitMQ) with the whole
// local stack running (its worker, dispatcher and audit writer consume what the API publishes).
//
//   flock /tmp/dph/bench.lock \
//   node --conditions=development --import tsx bench/api/run.ts [--duration 15] [--connections 64] [--https]
//     [--only max,rate,upload] [--pg-roles] [--service-env KEY=VALUE ...] [--service path/to/main.ts]
//     [--idempotency]
//
// Prints req/s and latency p50/p99 for: inner_oss_ref at full speed, inner_oss_ref at a fixed 500 req/s, and
// direct_upload (64 KiB) at full speed, each with the load average and the CPU-ms per request of every process
// involved (the API started here, the load generator, and the stack's Postgres, RabbitMQ, MinIO, Redis, worker,
// dispatcher and audit writer, and the stack's own API whose relay publishes some of the rows, read from /proc).
// CPU per request is more robust to other load than req/s, but still grows when the machine is overloaded; the
// shared processes' figures include whatever else used them in the window, so compare revisions back to back:
// `--service` runs another revision's main.ts (e.g. `git archive <rev> services/orchestrator-api | tar -x -C /tmp/x`
// with node_modules symlinked). --pg-roles splits Postgres CPU by backend role; --service-env sets API variables;
// --idempotency sends a fresh X-Idempotency-Key per request (the production path). Load is loopback-only and stops
// by itself. Profile the API with DPH_CHILD_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startTestIdp } from '@dph/auth/testing';
import { startService } from '@dph/lifecycle/testing';
import { objectStoreFromConfig, storageConfigFromEnv } from '@dph/storage';
import { requireStack, serviceEnv } from '@dph/testkit';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '64' },
    https: { type: 'boolean', default: false },
    /** Comma-separated subset of: max, rate, upload (default all three). */
    only: { type: 'string', default: 'max,rate,upload' },
    /** Also split Postgres CPU by the role of each backend (pg:dph_api, pg:dph_worker, ...). */
    'pg-roles': { type: 'boolean', default: false },
    /** KEY=VALUE added to the API's environment (repeatable), e.g. DPH_OIDC_TOKEN_CACHE_SIZE=0 for an A/B run. */
    'service-env': { type: 'string', multiple: true, default: [] },
    /** The API's main.ts to run (default this tree's), e.g. an older revision unpacked elsewhere for an A/B run. */
    service: { type: 'string' },
    /** Send a fresh X-Idempotency-Key with every submission (the production path: lookup, then claim). */
    idempotency: { type: 'boolean', default: false },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);

requireStack();
const env = serviceEnv('orchestrator-api');
const root = join(import.meta.dirname, '..', '..');
const idp = await startTestIdp({ clients: [{ id: 'bench', scenes: ['bench'] }], tokenTtlSec: 3600 });
const certDir = env.DPH_TLS_CA_FILE!.replace(/ca\.crt$/, '');
const svc = await startService(values.service ?? join(root, 'services/orchestrator-api/src/main.ts'), {
  ...env,
  DPH_ENV: 'development',
  DPH_LOG_LEVEL: 'info',
  DPH_SERVICE_INSTANCE: 'bench',
  DPH_HTTP_HOST: '127.0.0.1',
  DPH_HTTP_PORT: '0',
  DPH_OIDC_ISSUER: idp.issuer,
  DPH_OIDC_AUDIENCE: idp.audience,
  DPH_RATE_LIMIT_SUBJECT_PER_MIN: '10000000',
  DPH_RATE_LIMIT_SCENE_PER_MIN: '100000000',
  DPH_PG_POOL_MAX: '20',
  ...Object.fromEntries(values['service-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
  ...(values.https ? { DPH_API_TLS_CERT_FILE: `${certDir}server.crt`, DPH_API_TLS_KEY_FILE: `${certDir}server.key` } : {}),
}).catch(async (e) => {
  await idp.close();
  throw e;
});
const base = `${values.https ? 'https' : 'http'}://127.0.0.1:${svc.port}`;

const storage = storageConfigFromEnv(env);
const objects = objectStoreFromConfig(storage);
const key = `fixtures/bench-${randomUUID()}.pdf`;
await objects.store.put(storage.buckets.raw, key, Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(4096, 0x20)]), { contentType: 'application/pdf' });
const token = await idp.token('bench');
const auth = { authorization: `Bearer ${token}`, 'x-tenant-scene': 'bench' };

const boundary = 'dphbench0123456789';
const upload = Buffer.concat([
  Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="business_ref"\r\n\r\nbench-upload\r\n`),
  Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="doc.txt"\r\nContent-Type: text/plain\r\n\r\n`),
  Buffer.alloc(64 * 1024, 0x61),
  Buffer.from(`\r\n--${boundary}--\r\n`),
]);

// CPU time (ms) of the API, the load generator and each stack component with its descendants (Postgres backends).
const TICK_MS = 10; // USER_HZ is 100 on Linux
const stackPids: Record<string, number | undefined> = (() => {
  try {
    const st = JSON.parse(readFileSync(join(root, '.dph/state.json'), 'utf8')) as Record<string, { pid?: number }>;
    const pick = ['postgres', 'rabbitmq', 'minio', 'redis', 'orchestrator-api', 'worker-postproc', 'webhook-dispatcher', 'audit-writer'];
    // The stack's own API runs an outbox relay too: it publishes some of the rows this benchmark writes.
    return Object.fromEntries(pick.map((k) => [k === 'orchestrator-api' ? 'stack-api' : k, st[k]?.pid]));
  } catch {
    return {};
  }
})();
function cpuSnapshot(): Record<string, number> {
  const stat = new Map<number, { ppid: number; ms: number; childMs: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      stat.set(Number(d), { ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * TICK_MS, childMs: (Number(f[13]) + Number(f[14])) * TICK_MS });
    } catch {
      /* exited meanwhile */
    }
  }
  const tree = (top: number | undefined): number => {
    if (top === undefined || !stat.has(top)) return 0;
    let ms = stat.get(top)!.childMs;
    const todo = [top];
    while (todo.length > 0) {
      const pid = todo.pop()!;
      ms += stat.get(pid)!.ms;
      for (const [c, v] of stat) if (v.ppid === pid) todo.push(c);
    }
    return ms;
  };
  const u = process.cpuUsage();
  const out: Record<string, number> = { api: tree(svc.child.pid), bench: (u.user + u.system) / 1000 };
  for (const [k, pid] of Object.entries(stackPids)) out[k] = tree(pid);
  // Postgres backends by role ("postgres: dph_api dph 127.0.0.1(port) idle"): which client's work the server does.
  if (values['pg-roles']) {
    for (const [pid, v] of stat) {
      if (v.ppid !== stackPids.postgres) continue;
      let role: string;
      try {
        role = /^postgres: (\S+) /.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1] ?? 'other';
      } catch {
        continue;
      }
      out[`pg:${role}`] = (out[`pg:${role}`] ?? 0) + v.ms;
    }
  }
  return out;
}

interface Figures {
  name: string; rps: number; p50: number; p99: number; ok: number; non2xx: number; errors: number;
  load1: number; cpuMsPerReq: Record<string, number>;
}

async function run(name: string, opts: Omit<autocannon.Options, 'url'>): Promise<Figures> {
  const c0 = cpuSnapshot();
  const keyed = values.idempotency
    ? { requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, headers: { ...req.headers, 'x-idempotency-key': randomUUID() } }) }] }
    : {};
  const r = await autocannon({ method: 'POST', duration, ...opts, ...keyed, url: `${base}/v1/jobs` });
  const c1 = cpuSnapshot();
  const n = Math.max(1, r['2xx'] + r.non2xx);
  const cpuMsPerReq: Record<string, number> = {};
  let total = 0;
  for (const k of Object.keys(c1)) {
    const v = ((c1[k] ?? 0) - (c0[k] ?? 0)) / n;
    cpuMsPerReq[k] = Math.round(v * 1000) / 1000;
    if (!k.startsWith('pg:')) total += v; // pg:<role> splits the postgres figure
  }
  cpuMsPerReq.total = Math.round(total * 1000) / 1000;
  const f = {
    name, rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], non2xx: r.non2xx, errors: r.errors,
    load1: Math.round(loadavg()[0]! * 10) / 10, cpuMsPerReq,
  };
  console.log(JSON.stringify(f));
  return f;
}

const oss = JSON.stringify({ business_ref: 'bench-oss', source: { type: 'inner_oss_ref', url_or_ref: `s3://${storage.buckets.raw}/${key}` } });
const results: Figures[] = [];
try {
  await run('warm-up', { duration: 5, connections: 16, headers: { ...auth, 'content-type': 'application/json' }, body: oss });
  const only = new Set(values.only.split(','));
  if (only.has('max')) results.push(await run('inner_oss_ref max', { connections, headers: { ...auth, 'content-type': 'application/json' }, body: oss }));
  if (only.has('rate')) results.push(await run('inner_oss_ref @500/s', { connections: 32, overallRate: 500, headers: { ...auth, 'content-type': 'application/json' }, body: oss }));
  if (only.has('upload')) results.push(await run('direct_upload 64KiB max', { connections: 16, headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: upload }));
} finally {
  await svc.stop('SIGTERM');
  objects.close();
  await idp.close();
}
console.log(`\nload average after run: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log('scenario                     req/s    p50 ms   p99 ms   2xx      non-2xx  errors  load1');
for (const f of results) {
  console.log(`${f.name.padEnd(28)} ${String(f.rps).padStart(6)} ${String(f.p50).padStart(8)} ${String(f.p99).padStart(8)} ${String(f.ok).padStart(8)} ${String(f.non2xx).padStart(8)} ${String(f.errors).padStart(7)} ${String(f.load1).padStart(6)}`);
}
const cols = Object.keys(results[0]?.cpuMsPerReq ?? {});
console.log(`\nCPU-ms per request  ${cols.map((c) => c.slice(0, 10).padStart(10)).join(' ')}`);
for (const f of results) console.log(`${f.name.slice(0, 19).padEnd(19)} ${cols.map((c) => (f.cpuMsPerReq[c] ?? 0).toFixed(3).padStart(10)).join(' ')}`);
