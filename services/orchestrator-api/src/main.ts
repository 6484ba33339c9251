// Wiring only: read config, build dependencies, start, own shutdown (DESIGN §8.1).
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { checkDatabase, createPool, type Pool } from '@dph/db';
import { createRuntime } from '@dph/lifecycle';
import { amqpOptionsFromConfig, amqpReadinessCheck, connectAmqp, declareTopology, type AmqpConnection } from '@dph/messaging';
import { objectStoreFromConfig } from '@dph/storage';
import { buildApp } from './app.js';
import { SERVICE, loadSettings } from './config.js';

const { config, pg, storage } = loadSettings();
const rt = await createRuntime(SERVICE, config);
const { log, readiness, shutdown } = rt;

let server: Server | undefined;
let amqp: AmqpConnection | undefined;
let redis: Redis | undefined;
let objects: ReturnType<typeof objectStoreFromConfig> | undefined;
let pool: Pool | undefined;

// Registered before anything is opened, in the order they must run; each closes what exists.
shutdown
  .add('stop-accepting', () => new Promise<void>((resolve) => {
    if (!server?.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  }))
  .add('close-amqp', () => amqp?.close())
  .add('close-redis', () => redis?.quit())
  .add('close-s3', () => objects?.close())
  .add('close-postgres', () => pool?.end())
  .add('flush-traces', () => rt.tracing.shutdown());

try {
  pool = createPool(pg, { applicationName: `${SERVICE}/${config.DPH_SERVICE_INSTANCE}` });
  redis = new Redis(config.DPH_REDIS_URL, {
    tls: { ca: readFileSync(config.DPH_TLS_CA_FILE) }, maxRetriesPerRequest: 1, enableOfflineQueue: false,
  });
  redis.on('error', (err: Error & { code?: unknown }) => log.warn({ errName: err.name, code: err.code }, 'redis connection error'));
  objects = objectStoreFromConfig(storage);
  amqp = await connectAmqp({
    ...amqpOptionsFromConfig(config),
    connectionName: `${SERVICE}/${config.DPH_SERVICE_INSTANCE}`,
    logger: log,
    setup: (ch) => declareTopology(ch, { deliveryLimit: config.DPH_AMQP_DELIVERY_LIMIT }),
  });

  const db = pool;
  const cache = redis;
  const store = objects.store;
  readiness
    .add('postgres', async () => {
      const h = await checkDatabase(db);
      if (!h.ok) throw new Error(h.reason);
    })
    .add('amqp', amqpReadinessCheck(amqp))
    .add('redis', () => cache.ping())
    .add('s3', () => store.list(storage.buckets.raw, '', { limit: 1 }));

  const app = buildApp({ readiness, registry: rt.registry });
  const tls = config.DPH_API_TLS_CERT_FILE && config.DPH_API_TLS_KEY_FILE
    ? { cert: readFileSync(config.DPH_API_TLS_CERT_FILE), key: readFileSync(config.DPH_API_TLS_KEY_FILE) }
    : undefined;
  const srv = tls ? createHttpsServer(tls, app) : createHttpServer(app);
  server = srv;
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(config.DPH_HTTP_PORT, config.DPH_HTTP_HOST, () => resolve());
  });
  log.info({ port: (srv.address() as AddressInfo).port, https: !!tls }, 'listening');
} catch (err) {
  // Name and code only: driver messages can carry hosts, users or URLs.
  log.fatal({ errName: (err as Error)?.name, code: (err as { code?: unknown })?.code }, 'start-up failed');
  await shutdown.run('startup_failed', 1);
}
