// The service as a real process: config errors stop it with one line; against the stack it becomes ready, and
// SIGTERM drains and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runToExit, startService, waitForStatus, get } from '@dph/lifecycle/testing';
import { requireStack, serviceEnv } from '@dph/testkit';
import { dispatcherEnv, keyFile } from './helpers.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

test('a bad config exits 1 with one line naming the variable, not its value', async () => {
  const r = await runToExit(main, { DPH_SHUTDOWN_TIMEOUT_MS: 'soon', DPH_PG_PASSWORD: 'sup3r-secret' });
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^config error: DPH_SHUTDOWN_TIMEOUT_MS: expected a duration/);
  assert.doesNotMatch(r.stderr + r.stdout, /sup3r-secret/);
});

test('a bad value beside a valid stack config names exactly that variable', async () => {
  requireStack();
  const r = await runToExit(main, { ...dispatcherEnv(keyFile().path), DPH_PG_PORT: '70000' });
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), 'config error: DPH_PG_PORT: expected an integer 1-65535');
});

test('no signing key and no Vault: refuses to start, naming the variable', async () => {
  requireStack();
  const { DPH_WEBHOOK_SECRET_KEY_FILE: _key, ...env } = serviceEnv('webhook-dispatcher');
  const r = await runToExit(main, env);
  assert.equal(r.code, 1);
  assert.match(r.stderr.trim(), /^config error: DPH_WEBHOOK_SECRET_KEY_FILE: /);
});

test('against the stack: ready with every dependency checked; SIGTERM drains and exits 0', async () => {
  requireStack();
  const svc = await startService(main, { ...dispatcherEnv(keyFile().path), DPH_SERVICE_INSTANCE: 'skeleton-test', DPH_WEBHOOK_ONLY_SCENE: 'skeleton-none' });
  try {
    const body = JSON.parse(await waitForStatus(`http://127.0.0.1:${svc.port}/readyz`));
    assert.deepEqual(body, { status: 'ready', checks: { postgres: 'ok', amqp: 'ok', consumer: 'ok' } });
    assert.equal((await get(`http://127.0.0.1:${svc.port}/livez`)).status, 200);
    const metrics = await get(`http://127.0.0.1:${svc.port}/metrics`);
    assert.match(metrics.body, /process_cpu_user_seconds_total\{service="webhook-dispatcher"\}/);
  } finally {
    const code = await svc.stop('SIGTERM');
    assert.equal(code, 0, svc.output());
  }
  assert.match(svc.output(), /"msg":"shutdown complete"/);
});
