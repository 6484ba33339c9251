// The service as a real process: config errors stop it with one line; against the stack it becomes ready over
// TLS, and SIGTERM drains and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runToExit, startService, waitForStatus, get } from '@dph/lifecycle/testing';
import { requireStack, serviceEnv } from '@dph/testkit';
import { startTestIdp } from '@dph/auth/testing';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

test('a bad config exits 1 with one line naming the variable, not its value', async () => {
  const r = await runToExit(main, { DPH_PG_PORT: '99999', DPH_PG_PASSWORD: 'sup3r-secret' });
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^config error: DPH_[A-Z_]+: /);
  assert.match(lines[0]!, /DPH_PG_PORT/);
  assert.doesNotMatch(r.stderr + r.stdout, /sup3r-secret|99999/);
});

test('plaintext AMQP is refused at start-up', async () => {
  requireStack();
  const r = await runToExit(main, { ...serviceEnv('orchestrator-api'), DPH_AMQP_URL: 'amqp://u:p@127.0.0.1:5672/' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^config error: DPH_AMQP_URL: expected an amqps:\/\/ URL/);
});

test('against the stack: ready over HTTPS with every dependency checked; SIGTERM drains and exits 0', async () => {
  requireStack();
  const env = serviceEnv('orchestrator-api');
  const ca = readFileSync(env.DPH_TLS_CA_FILE!);
  const certDir = env.DPH_TLS_CA_FILE!.replace(/ca\.crt$/, '');
  const idp = await startTestIdp({ clients: [{ id: 'alice', scenes: ['credit'] }] });
  const svc = await startService(main, {
    ...env, DPH_HTTP_HOST: '127.0.0.1', DPH_HTTP_PORT: '0', DPH_SERVICE_INSTANCE: 'skeleton-test',
    DPH_API_TLS_CERT_FILE: `${certDir}server.crt`, DPH_API_TLS_KEY_FILE: `${certDir}server.key`,
    DPH_ENV: 'development', DPH_OIDC_ISSUER: idp.issuer, DPH_OIDC_AUDIENCE: idp.audience,
  });
  try {
    const body = JSON.parse(await waitForStatus(`https://127.0.0.1:${svc.port}/readyz`, { ca }));
    assert.deepEqual(body, { status: 'ready', checks: { postgres: 'ok', amqp: 'ok', redis: 'ok', s3: 'ok', oidc: 'ok' } });
    assert.equal((await get(`https://127.0.0.1:${svc.port}/livez`, ca)).status, 200);
    const metrics = await get(`https://127.0.0.1:${svc.port}/metrics`, ca);
    assert.match(metrics.body, /process_cpu_user_seconds_total\{service="orchestrator-api"\}/);
    assert.equal((await get(`https://127.0.0.1:${svc.port}/v1/jobs`, ca)).status, 401, 'the API is mounted, deny by default');
    const spec = await get(`https://127.0.0.1:${svc.port}/openapi.json`, ca);
    assert.equal(JSON.parse(spec.body).openapi, '3.1.0');
  } finally {
    const code = await svc.stop('SIGTERM');
    await idp.close();
    assert.equal(code, 0, svc.output());
  }
  assert.match(svc.output(), /"msg":"shutdown complete"/);
});

test('trust-all auth mode is refused at start-up when DPH_ENV=production', async () => {
  requireStack();
  const r = await runToExit(main, { ...serviceEnv('orchestrator-api'), DPH_ENV: 'production', DPH_AUTH_MODE: 'trust-all' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /config error: .*(DPH_AUTH_MODE|DPH_API_TLS_CERT_FILE)/);
  const r2 = await runToExit(main, {
    ...serviceEnv('orchestrator-api'), DPH_ENV: 'production', DPH_AUTH_MODE: 'trust-all',
    DPH_API_TLS_CERT_FILE: serviceEnv('orchestrator-api').DPH_TLS_CA_FILE!.replace(/ca\.crt$/, 'server.crt'),
    DPH_API_TLS_KEY_FILE: serviceEnv('orchestrator-api').DPH_TLS_CA_FILE!.replace(/ca\.crt$/, 'server.key'),
  });
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /config error: DPH_AUTH_MODE: trust-all is refused when DPH_ENV=production/);
});
