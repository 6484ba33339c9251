// Wiring only: read config, build dependencies, start, own shutdown (DESIGN §8.1).
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Agent, fetch as undiciFetch } from 'undici';
import { createVerifier, type FetchLike } from '@dph/auth';
import { checkDatabase, createClient, createPool, OutboxRelay, type Pool } from '@dph/db';
import { fetchGuarded } from '@dph/egress';
import { createRuntime } from '@dph/lifecycle';
import {
  amqpOptionsFromConfig, amqpReadinessCheck, connectAmqp, ConfirmPublisher, declareTopology, type AmqpConnection,
} from '@dph/messaging';
import { createObjectHead, objectStoreFromConfig } from '@dph/storage';
import { createSecretBox, secretBoxFromFile } from '@dph/webhooks';
import { buildApp } from './app.js';
import { SERVICE, loadSettings } from './config.js';
import { failUnroutableJob } from './data-access/parked.js';
import { loadOpenApi } from './http/openapi/load-spec.js';
import { OpenApiValidator } from './http/openapi/validator.js';
import { createRateLimits } from './http/rate-limit.js';

const { config, pg, storage, auth } = loadSettings();
const rt = await createRuntime(SERVICE, config);
const { log, readiness, shutdown } = rt;

let server: Server | undefined;
let amqp: AmqpConnection | undefined;
let redis: Redis | undefined;
let objects: ReturnType<typeof objectStoreFromConfig> | undefined;
let heads: ReturnType<typeof createObjectHead> | undefined;
let pool: Pool | undefined;
let relay: OutboxRelay | undefined;
let publisher: ConfirmPublisher | undefined;

// Registered before anything is opened, in the order they must run; each closes what exists.
shutdown
  .add('stop-accepting', () => new Promise<void>((resolve) => {
    if (!server?.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  }))
  .add('stop-outbox-relay', () => relay?.stop())
  .add('close-publisher', () => publisher?.close())
  .add('close-amqp', () => amqp?.close())
  .add('close-redis', () => redis?.quit())
  .add('close-s3', () => {
    objects?.close();
    heads?.close();
  })
  .add('close-postgres', () => pool?.end())
  .add('flush-traces', () => rt.tracing.shutdown());

try {
  pool = createPool(pg, { applicationName: `${SERVICE}/${config.DPH_SERVICE_INSTANCE}` });
  // Auto-pipelining: the two rate-limit scripts of a request (and those of concurrent requests) leave in one write.
  redis = new Redis(config.DPH_REDIS_URL, {
    tls: { ca: readFileSync(config.DPH_TLS_CA_FILE) }, maxRetriesPerRequest: 1, enableOfflineQueue: false, enableAutoPipelining: true,
  });
  redis.on('error', (err: Error & { code?: unknown }) => log.warn({ errName: err.name, code: err.code }, 'redis connection error'));
  objects = objectStoreFromConfig(storage);
  heads = createObjectHead(storage.connection);
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

  // The identity provider is reached with the deployment's CA bundle (the local stack's IdP is HTTPS too).
  const idpAgent = new Agent({ connect: { ca: readFileSync(config.DPH_TLS_CA_FILE), rejectUnauthorized: true } });
  const idpFetch: FetchLike = (input, init) =>
    undiciFetch(input, { ...(init as object), dispatcher: idpAgent }) as unknown as Promise<Response>;
  const verifier = createVerifier(auth, { fetch: idpFetch });
  if (auth.mode === 'trust-all') log.warn({ authMode: 'trust-all' }, 'AUTH MODE trust-all: tokens are NOT verified (development only)');
  else void verifier.warm().then((ok) => log.info({ ok }, 'identity provider metadata and keys warmed'));
  readiness.add('oidc', async () => {
    const st = verifier.state();
    if (auth.mode === 'oidc' && !st.metadata && !(await verifier.warm())) throw new Error('identity provider unreachable');
  });

  publisher = new ConfirmPublisher(amqp, { logger: log });
  const source = `${SERVICE}@${config.DPH_SERVICE_INSTANCE}`;
  relay = new OutboxRelay({
    pool: db,
    publisher,
    listenClient: () => createClient(pg, { applicationName: `${SERVICE}/${config.DPH_SERVICE_INSTANCE}/outbox` }),
    retentionMs: 24 * 3600_000,
    notifyDelayMs: config.DPH_API_OUTBOX_NOTIFY_DELAY_MS,
    onParked: async (row) => {
      if (await failUnroutableJob(db, row.id, { source, now: new Date() })) log.warn({ routingKey: row.routingKey }, 'parse task unroutable: job failed');
    },
    log: (event, fields) => log.debug({ ...fields, event }, 'outbox relay'),
  });
  relay.start();

  let box;
  if (config.DPH_WEBHOOK_SECRET_KEY_FILE) box = secretBoxFromFile(config.DPH_WEBHOOK_SECRET_KEY_FILE);
  else if (config.DPH_ENV === 'development') {
    box = createSecretBox(randomBytes(32));
    log.warn({}, 'no DPH_WEBHOOK_SECRET_KEY_FILE: webhook secrets sealed with a per-process development key');
  }
  const allowCidrs = config.DPH_EGRESS_ALLOW_CIDRS;
  const egressCa = config.DPH_EGRESS_CA_FILE ? readFileSync(config.DPH_EGRESS_CA_FILE) : undefined;
  const doc = loadOpenApi();
  const app = buildApp({
    readiness,
    registry: rt.registry,
    api: {
      settings: {
        env: config.DPH_ENV,
        source,
        buckets: storage.buckets,
        innerOssBuckets: config.DPH_API_INNER_OSS_BUCKETS ?? [storage.buckets.raw],
        maxUploadBytes: config.DPH_API_MAX_UPLOAD_BYTES,
        maxJsonBytes: config.DPH_API_MAX_JSON_BYTES,
        sourceMaxBytes: config.DPH_API_SOURCE_MAX_BYTES,
        sourceTimeoutMs: config.DPH_API_SOURCE_TIMEOUT_MS,
        requireIdempotencyKey: config.DPH_API_REQUIRE_IDEMPOTENCY_KEY ?? config.DPH_ENV === 'production',
        resultUrlTtlSec: 300,
        longPollIntervalMs: 500,
        egressAllowCidrs: allowCidrs,
      },
      verifier,
      pool: db,
      store,
      headObject: heads.head,
      limits: createRateLimits(cache, {
        subjectPoints: config.DPH_RATE_LIMIT_SUBJECT_PER_MIN, scenePoints: config.DPH_RATE_LIMIT_SCENE_PER_MIN, durationSec: 60,
      }),
      fetchSource: async (url) => {
        const r = await fetchGuarded(url, {
          maxBytes: config.DPH_API_SOURCE_MAX_BYTES, timeoutMs: config.DPH_API_SOURCE_TIMEOUT_MS,
          ...(allowCidrs ? { allowCidrs } : {}),
          ...(egressCa ? { ca: egressCa } : {}),
        });
        return { status: r.status, contentType: r.contentType, body: r.body };
      },
      openapi: new OpenApiValidator(doc),
      openapiJson: JSON.stringify(doc),
      logger: log,
      webhooks: {
        storage: { box },
        urlPolicy: { allowHttp: config.DPH_ENV === 'development', ...(allowCidrs ? { allowCidrs } : {}) },
      },
    },
  });
  const tls = config.DPH_API_TLS_CERT_FILE && config.DPH_API_TLS_KEY_FILE
    ? { cert: readFileSync(config.DPH_API_TLS_CERT_FILE), key: readFileSync(config.DPH_API_TLS_KEY_FILE) }
    : undefined;
  // 16 KiB of request headers at most (Node answers 431 past it); bearer tokens are capped lower by @dph/auth.
  const srv = tls ? createHttpsServer({ ...tls, maxHeaderSize: 16 * 1024 }, app) : createHttpServer({ maxHeaderSize: 16 * 1024 }, app);
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
