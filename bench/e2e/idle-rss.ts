/**
 * `npm run bench:rss`: idle resident memory of each service as its image runs it, compiled (`node dist/main.js`)
 * with the runtime environment its Dockerfile sets (NODE_OPTIONS, MALLOC_ARENA_MAX), against the local stack.
 *
 * For each service: build (Nx, cached), start one extra instance configured like the stack's running one (its
 * environment read from /proc) on a free port, wait for /readyz, let it idle
 * (--idle seconds, default 15), read VmRSS plus Pss and private memory from /proc/<pid>/smaps_rollup, stop it.
 * RSS counts the pages of the node binary itself (30-40 MB, shared by every node process on a host); Pss and
 * private show what one more replica really costs. Figures only; nothing is asserted.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { caCert, stackPaths } from '@dph/testkit';
import { ROOT, SERVICES, stackStatus, type Service } from '@dph/e2e/src/index.js';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const IDLE_S = arg('idle', 15);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The ENV assignments of the image's runtime stage (the root Dockerfile's last) that change how node runs. */
function imageRuntimeEnv(): Record<string, string> {
  const file = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const runtime = file.slice(file.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const m of runtime.matchAll(/\b(NODE_OPTIONS|MALLOC_ARENA_MAX)=("[^"]*"|\S+)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  return env;
}

interface Memory { rss: number; pss: number; priv: number }

function memoryMb(pid: number): Memory {
  const s = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
  return { rss: kb('Rss') / 1024, pss: kb('Pss') / 1024, priv: (kb('Private_Clean') + kb('Private_Dirty')) / 1024 };
}

/**
 * The environment the stack started its own instance of the service with (credentials, per-scene PII keys,
 * certificates): the measured replica is configured exactly like a second replica of the running one.
 */
function stackServiceEnv(pid: number | undefined, service: Service): Record<string, string> {
  if (!pid) throw new Error(`${service} is not running in the stack: npm run stack -- up`);
  const raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
  return Object.fromEntries(raw.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

async function idleMemory(service: Service, pid: number | undefined): Promise<Memory & { env: Record<string, string> }> {
  const tls = join(stackPaths().dir, 'tls');
  const runtime = imageRuntimeEnv();
  const env = {
    ...stackServiceEnv(pid, service),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...runtime,
    NODE_ENV: 'production',
    DPH_SERVICE_INSTANCE: `${service}-rss`,
    DPH_HTTP_HOST: '127.0.0.1',
    DPH_HTTP_PORT: '0',
    DPH_LOG_LEVEL: 'info',
    ...(service === 'orchestrator-api' ? { DPH_API_TLS_CERT_FILE: join(tls, 'server.crt'), DPH_API_TLS_KEY_FILE: join(tls, 'server.key') } : {}),
  };
  const child = spawn(process.execPath, [join(ROOT, 'services', service, 'dist/main.js')], { cwd: join(ROOT, 'services', service), env, stdio: ['ignore', 'pipe', 'pipe'] });
  process.once('exit', () => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const agent = new Agent({ connect: { ca: caCert() } });
  try {
    const deadline = Date.now() + 60_000;
    let ready = false;
    while (!ready) {
      if (child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode}: ${out.slice(-1500)}`);
      if (Date.now() > deadline) throw new Error(`${service} was not ready in 60 s: ${out.slice(-1500)}`);
      const port = /^\{[^\n]*"msg":"listening"[^\n]*$/m.exec(out)?.[0].match(/"port":(\d+)/)?.[1];
      if (port) {
        const url = `${service === 'orchestrator-api' ? 'https' : 'http'}://127.0.0.1:${port}/readyz`;
        ready = await fetch(url, { dispatcher: agent }).then((r) => r.status === 200, () => false);
      }
      if (!ready) await sleep(300);
    }
    await sleep(IDLE_S * 1000);
    return { ...memoryMb(child.pid!), env: runtime };
  } finally {
    await agent.close();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
  }
}

async function main(): Promise<void> {
  console.log('[bench:rss] building the services (npm run build; Nx reuses unchanged outputs)');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('npm run build failed');
  const st = stackStatus();
  if (!st.ready) throw new Error('the stack is not ready: npm run stack -- up');
  const rows: string[] = [];
  for (const s of SERVICES) {
    console.log(`[bench:rss] ${s}: starting dist/main.js, idling ${IDLE_S} s`);
    const m = await idleMemory(s, st.components[s]?.pid);
    rows.push(`${s.padEnd(20)} ${m.rss.toFixed(0).padStart(6)} ${m.pss.toFixed(0).padStart(6)} ${m.priv.toFixed(0).padStart(8)}   ${Object.entries(m.env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  console.log(`\nidle memory of the compiled services (MB), ${IDLE_S} s after ready`);
  console.log('service                 rss    pss  private   runtime env from the Dockerfile');
  for (const r of rows) console.log(r);
  console.log('\ntarget: idle RSS ≤80 MB per service');
}

main().catch((err: unknown) => {
  console.error(`[bench:rss] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
