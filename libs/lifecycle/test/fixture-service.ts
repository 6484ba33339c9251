// A tiny process wired like a service's main.ts: ops server + shutdown with one step that drains in-flight work.
import { createRegistry } from '@dph/telemetry';
import { createOpsServer, Shutdown } from '../src/index.js';

const ops = createOpsServer({ port: 0, host: '127.0.0.1', registry: createRegistry('fixture', { defaultMetrics: false }) });
const shutdown = new Shutdown({ timeoutMs: Number(process.env.FIXTURE_TIMEOUT_MS ?? 2000), readiness: ops.readiness });
let inFlight: Promise<void> | undefined = new Promise((r) => setTimeout(r, 150));
shutdown
  .add('stop-accepting', () => ops.close())
  .add('drain', async () => {
    await inFlight;
    inFlight = undefined;
    process.stdout.write('drained\n');
  })
  .add('hang', () => (process.env.FIXTURE_HANG ? new Promise(() => {}) : undefined))
  .install();
const port = await ops.listen();
process.stdout.write(`listening ${port}\n`);
