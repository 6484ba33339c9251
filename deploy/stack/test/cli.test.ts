// The stack command's contract: status --json is one JSON object; the env file is mode 600 and complete;
// a taken port stops `up` naming the port, with nothing started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireStack, stackEnv, stackPaths, serviceEnv } from '@dph/testkit';

const main = join(import.meta.dirname, '..', 'src', 'main.ts');
const stack = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', main, ...args], { encoding: 'utf8', env, timeout: 120_000 });

test('status --json prints one JSON object with components, endpoints (no passwords) and the env file', () => {
  requireStack();
  const r = stack(['status', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const st = JSON.parse(lines[0]!) as {
    components: Record<string, { state: string; pid: number | null; port: number }>;
    apiUrl: string; caFile: string; envFile: string; endpoints: Record<string, string>;
  };
  for (const c of ['postgres', 'rabbitmq', 'redis', 'minio']) {
    assert.equal(st.components[c]?.state, 'running', c);
    assert.ok((st.components[c]?.pid ?? 0) > 0);
  }
  for (const c of ['orchestrator-api', 'worker-postproc', 'webhook-dispatcher', 'audit-writer']) {
    const comp = st.components[c] as { state: string; ready?: boolean } | undefined;
    assert.ok(comp, c);
    // A service with code is started by `up` and answers /readyz; one without is reported absent.
    if (comp.state !== 'absent') assert.deepEqual([comp.state, comp.ready], ['running', true], c);
  }
  assert.match(st.apiUrl, /^https:\/\//);
  assert.equal(st.envFile, stackPaths().envFile);
  assert.match(st.endpoints.amqp!, /^amqps:\/\/127\.0\.0\.1:\d+/);
  assert.match(st.endpoints.redis!, /^rediss:\/\//);
  assert.match(st.endpoints.s3!, /^https:\/\//);
  assert.match(st.endpoints.postgres!, /sslmode=verify-full/);
  const env = serviceEnv('admin');
  for (const secret of [env.DPH_PG_PASSWORD!, new URL(env.DPH_AMQP_URL!).password, env.DPH_S3_SECRET_ACCESS_KEY!]) {
    assert.ok(!r.stdout.includes(secret), 'status must not print secrets');
  }
});

test('the env file is mode 600 and holds every common variable plus per-service credentials', () => {
  requireStack();
  assert.equal(statSync(stackPaths().envFile).mode & 0o777, 0o600);
  const e = stackEnv();
  for (const k of ['DPH_ENV', 'DPH_TLS_CA_FILE', 'DPH_PG_HOST', 'DPH_PG_PORT', 'DPH_PG_DATABASE', 'DPH_PG_SSLMODE', 'DPH_AMQP_URL', 'DPH_REDIS_URL',
    'DPH_S3_ENDPOINT', 'DPH_S3_REGION', 'DPH_S3_ACCESS_KEY_ID', 'DPH_S3_SECRET_ACCESS_KEY', 'DPH_S3_KMS_KEY_ID', 'DPH_S3_FORCE_PATH_STYLE',
    'DPH_BUCKET_RAW', 'DPH_BUCKET_PARSED', 'DPH_BUCKET_AUDIT']) assert.ok(e[k], k);
  assert.ok(!('DPH_PG_USER' in e), 'the common set carries no role');
  const roles = (['orchestrator-api', 'worker-postproc', 'webhook-dispatcher', 'audit-writer'] as const).map((s) => serviceEnv(s).DPH_PG_USER);
  assert.deepEqual(roles, ['dph_api', 'dph_worker', 'dph_dispatcher', 'dph_audit_writer']);
});

test('a port already taken stops `up` with a message naming the port, before anything starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dph-stack-port-'));
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  try {
    // A separate stack folder and ports, so the shared stack is untouched; the clash is on Postgres' port.
    const env = { ...process.env, DPH_STACK_DIR: dir, DPH_STACK_PG_PORT: String(port) };
    const r = stack(['up'], env);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`port ${port} \\(postgres\\) is already in use`));
    assert.match(r.stderr, /DPH_STACK_PG_PORT/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
    const st = stack(['status', '--json'], env);
    const parsed = JSON.parse(st.stdout) as { components: Record<string, { state: string }> };
    assert.ok(Object.values(parsed.components).every((c) => c.state !== 'running'));
  } finally {
    srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown commands and components give usage, not a stack trace', () => {
  const r = stack(['frobnicate']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage: npm run stack/);
  const r2 = stack(['restart', 'nosuch']);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /unknown component nosuch/);
});

test('as a normal user with packages missing, `up` names them and the apt-get line instead of installing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dph-stack-user-'));
  try {
    // A PATH holding only node and sh: redis-server and openssl look missing, whatever the machine has.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    chmodSync(dir, 0o777);
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', main, 'up'], {
      encoding: 'utf8',
      timeout: 60_000,
      cwd: join(import.meta.dirname, '..', '..', '..'),
      env: { PATH: bin, HOME: dir, DPH_STACK_DIR: join(dir, 'stack'), DPH_STACK_PORT_OFFSET: '3000' },
      ...asNobody,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /missing Debian packages: .*redis-server/);
    assert.match(r.stderr, /sudo apt-get install -y .*openssl/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
