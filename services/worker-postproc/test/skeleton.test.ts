// The service as a real process: config errors stop it with one line; against the stack it becomes ready, and
// SIGTERM drains and exits 0.
import { fileURLToPath } from 'node:url';
import { serviceContractTests } from '@dph/lifecycle/testing';
import { requireStack, serviceEnv } from '@dph/testkit';

serviceContractTests({
  main: fileURLToPath(new URL('../src/main.ts', import.meta.url)),
  service: 'worker-postproc',
  env: () => serviceEnv('worker-postproc'),
  requireStack,
  checks: { postgres: 'ok', amqp: 'ok', s3: 'ok', consumers: 'ok' },
});
