// Wiring only: read config, build dependencies, start, own shutdown (DESIGN §8.1).
// Consumes job events into deliveries (one per event and endpoint), runs the delivery loop, and relays its own
// audit outbox rows (webhook_failed, webhook_disabled) to dph.audit.
import { isDphError } from '@dph/errors';
import { checkDatabase, createClient, createPool, OutboxRelay, type Pool } from '@dph/db';
import { createOpsServer, createRuntime } from '@dph/lifecycle';
import {
  ConfirmPublisher, SERVICE_QUEUES, amqpOptionsFromConfig, amqpReadinessCheck, connectAmqp, consume, declareQueue,
  declareTopology, type AmqpConnection, type Consumer,
} from '@dph/messaging';
import type { DeliveryEngine } from '@dph/webhooks';
import { SERVICE, loadSettings } from './config.js';
import { jobEventHandler } from './event-handler.js';
import { dispatcherMetrics } from './metrics.js';
import { buildEngine, readBacklog } from './wiring.js';

const { config, pg } = loadSettings();
const rt = await createRuntime(SERVICE, config);
const { log, readiness, shutdown } = rt;
const ops = createOpsServer({ port: config.DPH_HTTP_PORT, host: config.DPH_HTTP_HOST, registry: rt.registry, readiness });

let amqp: AmqpConnection | undefined;
let pool: Pool | undefined;
let consumer: Consumer | undefined;
let engine: DeliveryEngine | undefined;
let agent: { close(): Promise<void> } | undefined;
let relay: OutboxRelay | undefined;

shutdown
  .add('cancel-consumer', () => consumer?.cancel())
  .add('drain-deliveries', () => engine?.stop())
  .add('stop-outbox-relay', () => relay?.stop())
  .add('close-http-agent', () => agent?.close())
  .add('close-amqp', () => amqp?.close())
  .add('close-postgres', () => pool?.end())
  .add('stop-ops-server', () => ops.close())
  .add('flush-traces', () => rt.tracing.shutdown());

try {
  pool = createPool(pg, { applicationName: `${SERVICE}/${config.DPH_SERVICE_INSTANCE}`, max: config.DPH_PG_POOL_MAX });
  const db = pool;
  const metrics = dispatcherMetrics(rt.registry, (where, err) =>
    log.warn({ where, errName: (err as Error)?.name, code: (err as { code?: unknown })?.code, reason: isDphError(err) ? err.message : undefined }, 'dispatcher error'));
  metrics.backlog(() => readBacklog(db));
  ({ engine, agent } = buildEngine(config, db, metrics.hooks));
  const deliveryLimit = config.DPH_AMQP_DELIVERY_LIMIT;
  const { queue, bindings } = config.DPH_WEBHOOK_EVENTS_QUEUE
    ? { queue: config.DPH_WEBHOOK_EVENTS_QUEUE, bindings: [] }
    : SERVICE_QUEUES.webhookEvents;
  amqp = await connectAmqp({
    ...amqpOptionsFromConfig(config),
    connectionName: `${SERVICE}/${config.DPH_SERVICE_INSTANCE}`,
    logger: log,
    setup: async (ch) => {
      await declareTopology(ch, { deliveryLimit });
      await declareQueue(ch, queue, bindings, { deliveryLimit });
      // The audit writer's batch queue, which this service's webhook_delivered batches need (idempotent).
      await declareQueue(ch, SERVICE_QUEUES.auditBatches.queue, SERVICE_QUEUES.auditBatches.bindings, { deliveryLimit });
    },
  });
  relay = new OutboxRelay({
    pool: db,
    publisher: new ConfirmPublisher(amqp, { logger: log }),
    listenClient: () => createClient(pg, { applicationName: `${SERVICE}/outbox-listen` }),
    notifyDelayMs: config.DPH_WEBHOOK_OUTBOX_NOTIFY_DELAY_MS,
    log: (event, fields) => log.debug({ ...fields }, event),
  });
  relay.start();
  const eng = engine;
  eng.start();
  consumer = await consume({
    connection: amqp,
    queue,
    prefetch: config.DPH_AMQP_PREFETCH,
    logger: log,
    handler: jobEventHandler(db, {
      leaseMs: eng.leaseMs,
      onlyScene: eng.onlyScene,
      endpointRoom: () => eng.endpointRoom(),
      onRecorded: (n, claimed) => {
        metrics.deliveriesRecorded(n);
        eng.deliverClaimed(claimed);
        if (n > claimed.length) eng.kick();
      },
    }),
  });
  const c = consumer;
  readiness
    .add('postgres', async () => {
      const h = await checkDatabase(db);
      if (!h.ok) throw new Error(h.reason);
    })
    .add('amqp', amqpReadinessCheck(amqp))
    .add('consumer', async () => {
      if (!c.healthy()) throw new Error('consumer not subscribed');
    });

  const port = await ops.listen();
  log.info({ port, queue, consuming: true }, 'listening');
} catch (err) {
  log.fatal({ errName: (err as Error)?.name, code: (err as { code?: unknown })?.code }, 'start-up failed');
  await shutdown.run('startup_failed', 1);
}
