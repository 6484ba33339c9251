// A worker process that kills itself (SIGKILL, no clean-up) at a given stage of its first job: the redelivery
// test runs it as a child process. Argv: <zone> <stage>.
import { openStack, runWorker, settings } from './harness.js';
import type { Stage } from '../src/domain/ports.js';

const [zone, stage] = process.argv.slice(2) as [string, Stage];
const stack = await openStack();
await runWorker(stack, settings(stack, zone, { concurrency: 1 }), (s) => {
  if (s === stage) process.kill(process.pid, 'SIGKILL');
});
process.stdout.write('ready\n');
