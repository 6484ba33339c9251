// The service as a real process: config errors stop it with one line; against the stack it becomes ready, and
// SIGTERM drains and exits 0.
import { fileURLToPath } from 'node:url';
import { serviceContractTests } from '@dph/lifecycle/testing';
import { requireStack, serviceEnv } from '@dph/testkit';

serviceContractTests({
  main: fileURLToPath(new URL('../src/main.ts', import.meta.url)),
  service: 'audit-writer',
  env: () => serviceEnv('audit-writer'),
  requireStack,
  checks: { postgres: 'ok', amqp: 'ok', s3: 'ok', consumer: 'ok' },
});
