// Wiring only: read config, build dependencies, start, own shutdown (DESIGN §8.1).
// Skeleton: connects and declares its event queue, but does not consume or deliver yet, so job events wait in
// RabbitMQ rather than being taken and dropped.
import { checkDatabase, createPool, type Pool } from '@dph/db';
import { createOpsServer, createRuntime } from '@dph/lifecycle';
import {
  SERVICE_QUEUES, amqpOptionsFromConfig, amqpReadinessCheck, connectAmqp, declareQueue, declareTopology,
  type AmqpConnection,
} from '@dph/messaging';
import { SERVICE, loadSettings } from './config.js';

const { config, pg } = loadSettings();
const rt = await createRuntime(SERVICE, config);
const { log, readiness, shutdown } = rt;
const ops = createOpsServer({ port: config.DPH_HTTP_PORT, host: config.DPH_HTTP_HOST, registry: rt.registry, readiness });

let amqp: AmqpConnection | undefined;
let pool: Pool | undefined;

shutdown
  .add('close-amqp', () => amqp?.close())
  .add('close-postgres', () => pool?.end())
  .add('stop-ops-server', () => ops.close())
  .add('flush-traces', () => rt.tracing.shutdown());

try {
  pool = createPool(pg, { applicationName: `${SERVICE}/${config.DPH_SERVICE_INSTANCE}` });
  const deliveryLimit = config.DPH_AMQP_DELIVERY_LIMIT;
  const { queue, bindings } = SERVICE_QUEUES.webhookEvents;
  amqp = await connectAmqp({
    ...amqpOptionsFromConfig(config),
    connectionName: `${SERVICE}/${config.DPH_SERVICE_INSTANCE}`,
    logger: log,
    setup: async (ch) => {
      await declareTopology(ch, { deliveryLimit });
      await declareQueue(ch, queue, bindings, { deliveryLimit });
    },
  });

  const db = pool;
  readiness
    .add('postgres', async () => {
      const h = await checkDatabase(db);
      if (!h.ok) throw new Error(h.reason);
    })
    .add('amqp', amqpReadinessCheck(amqp));

  const port = await ops.listen();
  log.info({ port, queue, consuming: false }, 'listening');
} catch (err) {
  log.fatal({ errName: (err as Error)?.name, code: (err as { code?: unknown })?.code }, 'start-up failed');
  await shutdown.run('startup_failed', 1);
}
