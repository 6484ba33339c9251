// The service as a real process: config errors stop it with one line; against the stack it becomes ready, and
// SIGTERM drains and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runToExit, serviceContractTests } from '@dph/lifecycle/testing';
import { requireStack, serviceEnv } from '@dph/testkit';
import { dispatcherEnv, keyFile } from './helpers.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

serviceContractTests({
  main,
  service: 'webhook-dispatcher',
  // A scene nobody uses: the contract run must not claim the stack's deliveries.
  env: () => ({ ...dispatcherEnv(keyFile().path), DPH_WEBHOOK_ONLY_SCENE: 'skeleton-none' }),
  requireStack,
  checks: { postgres: 'ok', amqp: 'ok', consumer: 'ok' },
});

test('no signing key and no Vault: refuses to start, naming the variable', async () => {
  requireStack();
  const { DPH_WEBHOOK_SECRET_KEY_FILE: _key, ...env } = serviceEnv('webhook-dispatcher');
  const r = await runToExit(main, env);
  assert.equal(r.code, 1);
  assert.match(r.stderr.trim(), /^config error: DPH_WEBHOOK_SECRET_KEY_FILE: /);
});
