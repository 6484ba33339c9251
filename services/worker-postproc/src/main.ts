// Wiring only: read config, build dependencies, start, own shutdown (DESIGN §8.1). The pipeline, its consumers
// and the outbox relay are built by startWorker (worker.ts).
import { checkDatabase, createClient, createPool, type Pool } from '@dph/db';
import { createOpsServer, createRuntime } from '@dph/lifecycle';
import {
  amqpOptionsFromConfig, amqpReadinessCheck, connectAmqp, declareParseZone, declareTopology, type AmqpConnection,
} from '@dph/messaging';
import { objectStoreFromConfig } from '@dph/storage';
import { ConfigError } from '@dph/errors';
import { SERVICE, loadSettings } from './config.js';
import { startWorker, type RunningWorker } from './worker.js';

const { config, pg, storage, worker: settings } = loadSettings();
const rt = await createRuntime(SERVICE, config);
const { log, readiness, shutdown } = rt;
const ops = createOpsServer({ port: config.DPH_HTTP_PORT, host: config.DPH_HTTP_HOST, registry: rt.registry, readiness });

let amqp: AmqpConnection | undefined;
let objects: ReturnType<typeof objectStoreFromConfig> | undefined;
let pool: Pool | undefined;
let worker: RunningWorker | undefined;

shutdown
  .add('stop-consuming-and-drain', () => worker?.stop())
  .add('close-amqp', () => amqp?.close())
  .add('close-s3', () => objects?.close())
  .add('close-postgres', () => pool?.end())
  .add('stop-ops-server', () => ops.close())
  .add('flush-traces', () => rt.tracing.shutdown());

try {
  const name = `${SERVICE}/${config.DPH_SERVICE_INSTANCE}`;
  // every in-flight task holds at most one connection at a time; the relay and readiness need a few more
  pool = createPool(pg, { applicationName: name, max: Math.max(pg.poolMax, settings.concurrency + 4) });
  objects = objectStoreFromConfig(storage);
  const deliveryLimit = config.DPH_AMQP_DELIVERY_LIMIT;
  amqp = await connectAmqp({
    ...amqpOptionsFromConfig(config),
    connectionName: `${SERVICE}/${config.DPH_SERVICE_INSTANCE}`,
    logger: log,
    setup: async (ch) => {
      await declareTopology(ch, { deliveryLimit });
      await declareParseZone(ch, config.DPH_WORKER_ZONE, config.DPH_WORKER_CLASSIFICATIONS, { deliveryLimit });
    },
  });

  const db = pool;
  const store = objects.store;
  readiness
    .add('postgres', async () => {
      const h = await checkDatabase(db);
      if (!h.ok) throw new Error(h.reason);
    })
    .add('amqp', amqpReadinessCheck(amqp))
    .add('s3', () => store.list(storage.buckets.parsed, '', { limit: 1 }));

  const w = await startWorker(settings, {
    amqp, pool, store, registry: rt.registry, logger: log,
    listenClient: () => createClient(pg, { applicationName: `${name}/outbox-listen` }),
  });
  worker = w;
  readiness.add('consumers', () => {
    if (!w.healthy()) throw new Error('consumers not subscribed');
  });

  const port = await ops.listen();
  log.info({ port, zone: settings.zone, classifications: settings.classifications, queues: w.queues, concurrency: settings.concurrency, consuming: true }, 'listening');
} catch (err) {
  // ConfigError text names a variable and what was expected, never a value; other messages are not logged.
  const reason = err instanceof ConfigError ? err.message : undefined;
  log.fatal({ errName: (err as Error)?.name, code: (err as { code?: unknown })?.code, ...(reason ? { reason } : {}) }, 'start-up failed');
  await shutdown.run('startup_failed', 1);
}
