// Wiring only: read config, build dependencies, start, own shutdown (DESIGN §8.1).
// Consumes dph.audit (queues dph.audit.writer and, for batch messages, dph.audit.writer.batches), screens each
// event against the red line, and appends batches to the hash-chained audit_events table (ingest/batch-consumer.ts).
import { checkDatabase, createPool, type Pool } from '@dph/db';
import { createOpsServer, createRuntime } from '@dph/lifecycle';
import {
  SERVICE_QUEUES, amqpOptionsFromConfig, amqpReadinessCheck, connectAmqp, declareQueue, declareTopology,
  type AmqpConnection,
} from '@dph/messaging';
import { objectStoreFromConfig } from '@dph/storage';
import { SERVICE, loadSettings } from './config.js';
import { archiveAuditEvents } from '@dph/audit';
import { createRedLineScan } from './domain/pii-scan.js';
import { AuditIngest } from './ingest/batch-consumer.js';
import { ingestMetrics } from './metrics.js';

const { config, pg, storage } = loadSettings();
const rt = await createRuntime(SERVICE, config);
const { log, readiness, shutdown } = rt;
const ops = createOpsServer({ port: config.DPH_HTTP_PORT, host: config.DPH_HTTP_HOST, registry: rt.registry, readiness });

let amqp: AmqpConnection | undefined;
let objects: ReturnType<typeof objectStoreFromConfig> | undefined;
let pool: Pool | undefined;
let ingest: AuditIngest | undefined;
let batchIngest: AuditIngest | undefined;
let archiveTimer: NodeJS.Timeout | undefined;
let archiving: Promise<unknown> | undefined;

shutdown
  // Stop taking events and write what is buffered before the channel closes; unwritten ones return to the queue.
  .add('stop-archive', async () => {
    clearInterval(archiveTimer);
    await archiving;
  })
  .add('drain-ingest', () => Promise.all([ingest, batchIngest].map((i) => i?.stop(Math.max(1000, config.DPH_SHUTDOWN_TIMEOUT_MS - 5000)))))
  .add('close-amqp', () => amqp?.close())
  .add('close-s3', () => objects?.close())
  .add('close-postgres', () => pool?.end())
  .add('stop-ops-server', () => ops.close())
  .add('flush-traces', () => rt.tracing.shutdown());

try {
  pool = createPool(pg, { applicationName: `${SERVICE}/${config.DPH_SERVICE_INSTANCE}` });
  objects = objectStoreFromConfig(storage);
  const deliveryLimit = config.DPH_AMQP_DELIVERY_LIMIT;
  const { bindings } = SERVICE_QUEUES.audit;
  const queue = config.DPH_AUDIT_QUEUE;
  const batchQueue = config.DPH_AUDIT_BATCH_QUEUE;
  amqp = await connectAmqp({
    ...amqpOptionsFromConfig(config),
    connectionName: `${SERVICE}/${config.DPH_SERVICE_INSTANCE}`,
    logger: log,
    setup: async (ch) => {
      await declareTopology(ch, { deliveryLimit });
      await declareQueue(ch, queue, bindings, { deliveryLimit });
      await declareQueue(ch, batchQueue, SERVICE_QUEUES.auditBatches.bindings, { deliveryLimit });
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
    .add('s3', () => store.list(storage.buckets.audit, '', { limit: 1 }))
    .add('consumer', async () => {
      for (const i of [ingest, batchIngest]) {
        if (!i?.healthy()) throw new Error('not consuming');
        if (i.stalled()) throw new Error('ingest stalled: events waiting, no batch committed');
      }
    });

  // Two consumers on one chain (appends serialise on its lock): single events, and batch messages with a
  // prefetch sized for them, so both bound the events held in memory alike.
  const metrics = ingestMetrics(rt.registry);
  const common = {
    connection: amqp, pool, batchSize: config.DPH_AUDIT_BATCH_SIZE, flushIntervalMs: config.DPH_AUDIT_FLUSH_INTERVAL_MS,
    scan: createRedLineScan(), stallAfterMs: config.DPH_AUDIT_STALL_AFTER, metrics, log,
  };
  ingest = new AuditIngest({ ...common, queue, prefetch: Math.max(config.DPH_AUDIT_PREFETCH, config.DPH_AUDIT_BATCH_SIZE) });
  batchIngest = new AuditIngest({ ...common, queue: batchQueue, prefetch: config.DPH_AUDIT_BATCH_PREFETCH });
  await ingest.start();
  await batchIngest.start();

  if (config.DPH_AUDIT_ARCHIVE_INTERVAL > 0) {
    const actor = `system:${SERVICE}@${config.DPH_SERVICE_INSTANCE}`;
    const runArchive = () => {
      if (archiving) return;
      archiving = archiveAuditEvents(db, store, {
        bucket: storage.buckets.audit, prefix: config.DPH_AUDIT_ARCHIVE_PREFIX, olderThanMs: config.DPH_AUDIT_ARCHIVE_AFTER, actor,
      })
        .then((m) => m && log.info({ rows: m.rowCount, firstId: m.firstId, lastId: m.lastId }, 'audit range archived'))
        .catch((err: unknown) => log.warn({ errName: (err as Error)?.name }, 'audit archive run failed; retried next interval'))
        .finally(() => (archiving = undefined));
    };
    archiveTimer = setInterval(runArchive, config.DPH_AUDIT_ARCHIVE_INTERVAL);
    archiveTimer.unref();
  }

  const port = await ops.listen();
  log.info({ port, queue, batchQueue, consuming: true, batchSize: config.DPH_AUDIT_BATCH_SIZE }, 'listening');
} catch (err) {
  log.fatal({ errName: (err as Error)?.name, code: (err as { code?: unknown })?.code }, 'start-up failed');
  await shutdown.run('startup_failed', 1);
}
