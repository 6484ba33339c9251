/**
 * Test support for service skeleton tests (import from '@dph/lifecycle/testing'): start a service's main.ts as
 * a real child process, wait for its "listening" log line, probe it, and stop it with a signal.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { test } from 'node:test';

export interface SpawnedService {
  child: ChildProcess;
  port: number;
  /** Everything written so far (JSON log lines on stdout, and stderr). */
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Extra node flags for the child (e.g. `--cpu-prof` for a benchmark), read from DPH_CHILD_NODE_FLAGS. */
const extraFlags = () => (process.env.DPH_CHILD_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const nodeArgs = (main: string) => [...extraFlags(), '--conditions=development', '--import', 'tsx', main];

/** Runs main.ts to completion (e.g. with a bad config) and returns its exit code and output. */
export async function runToExit(main: string, env: Record<string, string>, timeoutMs = 30_000): Promise<SpawnResult> {
  const child = spawn(process.execPath, nodeArgs(main), { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Starts main.ts and resolves once it logged `listening` with its port (use DPH_HTTP_PORT=0). */
export async function startService(main: string, env: Record<string, string>, timeoutMs = 60_000): Promise<SpawnedService> {
  const child = spawn(process.execPath, nodeArgs(main), { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  const exited = once(child, 'exit');
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const scan = () => {
      for (const line of out.split('\n')) {
        try {
          const rec = JSON.parse(line) as { msg?: string; port?: number };
          if (rec.msg === 'listening' && typeof rec.port === 'number') {
            clearTimeout(timer);
            child.stdout.off('data', scan);
            return resolve(rec.port);
          }
        } catch {
          /* not a JSON line */
        }
      }
    };
    child.stdout.on('data', scan);
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${String(code)} before listening:\n${out}`));
    });
  });
  return {
    child,
    port,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/** One GET over http or https (with an optional CA, for the stack's certificates). */
export function get(url: string, ca?: string | Buffer): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const req = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = req(u, { method: 'GET', timeout: 5000, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', reject);
    r.end();
  });
}

/** Polls a URL until it answers with `status` (default 200); returns that response's body. */
export async function waitForStatus(url: string, opts: { status?: number; timeoutMs?: number; ca?: string | Buffer } = {}): Promise<string> {
  const want = opts.status ?? 200;
  const end = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: string;
  for (;;) {
    try {
      const res = await get(url, opts.ca);
      if (res.status === want) return res.body;
      last = `${res.status} ${res.body}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > end) throw new Error(`${url} did not answer ${want}; last: ${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface ServiceContract {
  /** Path of the service's src/main.ts. */
  main: string;
  service: string;
  /** The service's environment against the local stack (called only after the stack check). */
  env: () => Record<string, string>;
  /** Guard that throws a clear error when the local stack is not up. */
  requireStack: () => void;
  /** The /readyz checks the service reports when every dependency is up. */
  checks: Record<string, 'ok'>;
}

/**
 * The contract every background service keeps, as node:test tests: a config error stops it with one line naming
 * the variable (never its value); against the stack it becomes ready with each dependency checked, serves /livez
 * and labelled /metrics, and SIGTERM drains it to exit 0.
 */
export function serviceContractTests(c: ServiceContract): void {
  test('a bad config exits 1 with one line naming the variable, not its value', async () => {
    const r = await runToExit(c.main, { DPH_SHUTDOWN_TIMEOUT_MS: 'soon', DPH_PG_PASSWORD: 'sup3r-secret' });
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^config error: DPH_SHUTDOWN_TIMEOUT_MS: expected a duration/);
    assert.doesNotMatch(r.stderr + r.stdout, /sup3r-secret/);
  });

  test('a bad value beside a valid stack config names exactly that variable', async () => {
    c.requireStack();
    const r = await runToExit(c.main, { ...c.env(), DPH_PG_PORT: '70000' });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'config error: DPH_PG_PORT: expected an integer 1-65535');
  });

  test('against the stack: ready with every dependency checked; SIGTERM drains and exits 0', async () => {
    c.requireStack();
    const svc = await startService(c.main, { ...c.env(), DPH_HTTP_HOST: '127.0.0.1', DPH_HTTP_PORT: '0', DPH_SERVICE_INSTANCE: 'skeleton-test' });
    try {
      const body = JSON.parse(await waitForStatus(`http://127.0.0.1:${svc.port}/readyz`));
      assert.deepEqual(body, { status: 'ready', checks: c.checks });
      assert.equal((await get(`http://127.0.0.1:${svc.port}/livez`)).status, 200);
      const metrics = await get(`http://127.0.0.1:${svc.port}/metrics`);
      assert.match(metrics.body, new RegExp(`process_cpu_user_seconds_total\\{service="${c.service}"\\}`));
    } finally {
      const code = await svc.stop('SIGTERM');
      assert.equal(code, 0, svc.output());
    }
    assert.match(svc.output(), /"msg":"shutdown complete"/);
  });
}
