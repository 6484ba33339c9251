/**
 * Starts the v1 API in-process against the real local stack (Postgres as dph_api, MinIO, optionally Redis) and a
 * real OpenID provider (oidc-provider) on loopback. Tests talk HTTP to it and validate every answer against the
 * OpenAPI document.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createVerifier, parseAuthSettings } from '@dph/auth';
import { startTestIdp, type TestIdp, type TestIdpClient } from '@dph/auth/testing';
import { createPool, pgSettingsFromEnv, type Pool } from '@dph/db';
import { fetchGuarded } from '@dph/egress';
import { silentLogger } from '@dph/logging';
import { createObjectHead, objectStoreFromConfig, storageConfigFromEnv, type ObjectStore } from '@dph/storage';
import { pgAdminClientConfig, redisTlsOptions, redisUrl, requireStack, serviceEnv } from '@dph/testkit';
import { createSecretBox, type SecretStorage } from '@dph/webhooks';
import { Readiness } from '@dph/lifecycle';
import { createRegistry } from '@dph/telemetry';
import { buildApp } from '../src/app.js';
import type { ApiDeps, ApiSettings } from '../src/http/deps.js';
import { loadOpenApi } from '../src/http/openapi/load-spec.js';
import { OpenApiValidator } from '../src/http/openapi/validator.js';
import { createRateLimits, type RateLimitSettings } from '../src/http/rate-limit.js';

export const CLIENTS: TestIdpClient[] = [
  { id: 'alice', scenes: ['credit', 'hr', 'uploads'] },
  { id: 'bob', scenes: ['credit'] },
  { id: 'carol', scenes: ['hr'] },
  { id: 'op-credit', scenes: [], roles: ['operator:credit'] },
  { id: 'op-hr', scenes: [], roles: ['operator:hr'] },
  { id: 'aud-credit', scenes: [], roles: ['auditor:credit'] },
  { id: 'aud-all', scenes: [], roles: ['auditor:*'] },
  { id: 'nobody', scenes: [] },
];

export interface Harness {
  url: string;
  idp: TestIdp;
  pool: Pool;
  admin: pg.Pool;
  store: ObjectStore;
  settings: ApiSettings;
  openapi: OpenApiValidator;
  redis: Redis | null;
  /** Where the API seals webhook and per-job callback secrets (tests open them as the dispatcher would). */
  webhookStorage: SecretStorage;
  token(client: string): Promise<string>;
  /**
   * Subscriptions created through `call` (POST /v1/webhooks): close() disables them. They live in the shared
   * stack database, sealed with this harness's own key, so left active they would take a delivery of every later
   * job in their scene (e2e and fault runs, benchmarks) that no dispatcher can sign or deliver.
   */
  createdWebhooks: string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  settings?: Partial<ApiSettings>;
  limits?: Partial<RateLimitSettings>;
  /** 'stack' = the stack's Redis over TLS; 'down' = a client pointed at a closed port; none = memory only. */
  redis?: 'stack' | 'down';
  authMode?: 'oidc' | 'trust-all';
  idp?: TestIdp;
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  requireStack();
  const env = serviceEnv('orchestrator-api');
  const idp = o.idp ?? (await startTestIdp({ clients: CLIENTS, tokenTtlSec: 3600 }));
  const pool = createPool(pgSettingsFromEnv(env), { applicationName: 'orchestrator-api/test', max: 20 });
  const admin = new pg.Pool({ ...pgAdminClientConfig(), max: 4 });
  const storage = storageConfigFromEnv(env);
  const objects = objectStoreFromConfig(storage);
  const heads = createObjectHead(storage.connection);
  const auth = parseAuthSettings({
    DPH_ENV: 'development', DPH_AUTH_MODE: o.authMode ?? 'oidc', DPH_OIDC_ISSUER: idp.issuer, DPH_OIDC_AUDIENCE: idp.audience,
    DPH_OIDC_TOKEN_CACHE_SIZE: '1000', // as the service runs (config.ts default)
  });
  const verifier = createVerifier(auth);
  const webhookStorage = { box: createSecretBox(randomBytes(32)) };
  let redis: Redis | null = null;
  if (o.redis === 'stack') redis = new Redis(redisUrl(), { tls: redisTlsOptions(), maxRetriesPerRequest: 1, enableOfflineQueue: false, enableAutoPipelining: true });
  if (o.redis === 'down') {
    redis = new Redis({ host: '127.0.0.1', port: 1, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false, retryStrategy: () => 1000 });
  }
  redis?.on('error', () => {});
  const settings: ApiSettings = {
    env: 'development',
    source: 'orchestrator-api@test',
    buckets: storage.buckets,
    innerOssBuckets: [storage.buckets.raw],
    maxUploadBytes: 256 * 1024,
    maxJsonBytes: 64 * 1024,
    sourceMaxBytes: 256 * 1024,
    sourceTimeoutMs: 5_000,
    requireIdempotencyKey: false,
    resultUrlTtlSec: 300,
    longPollIntervalMs: 100,
    egressAllowCidrs: env.DPH_EGRESS_ALLOW_CIDRS,
    ...o.settings,
  };
  const doc = loadOpenApi();
  const openapi = new OpenApiValidator(doc);
  const deps: ApiDeps = {
    settings,
    verifier,
    pool,
    store: objects.store,
    headObject: heads.head,
    limits: createRateLimits(redis, { subjectPoints: 100_000, scenePoints: 100_000, durationSec: 60, ...o.limits }),
    fetchSource: async (url) => {
      const r = await fetchGuarded(url, {
        maxBytes: settings.sourceMaxBytes, timeoutMs: settings.sourceTimeoutMs, allowHttp: true,
        ...(settings.egressAllowCidrs ? { allowCidrs: settings.egressAllowCidrs } : {}),
      });
      return { status: r.status, contentType: r.contentType, body: r.body };
    },
    openapi,
    openapiJson: JSON.stringify(doc),
    logger: silentLogger(),
    webhooks: {
      storage: webhookStorage,
      urlPolicy: { allowHttp: true, ...(env.DPH_EGRESS_ALLOW_CIDRS ? { allowCidrs: env.DPH_EGRESS_ALLOW_CIDRS } : {}) },
    },
  };
  // The service's own app (ops endpoints + the v1 API), with a readiness check on the database.
  const app = buildApp({ readiness: new Readiness({ postgres: () => pool.query('SELECT 1') }), registry: createRegistry('orchestrator-api', { defaultMetrics: false }), api: deps });
  const server: Server = createServer({ maxHeaderSize: 16 * 1024 }, app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokens = new Map<string, string>();
  const createdWebhooks: string[] = [];
  return {
    url, idp, pool, admin, store: objects.store, settings, openapi, redis, webhookStorage, createdWebhooks,
    async token(client) {
      let t = tokens.get(client);
      if (!t) {
        t = await idp.token(client);
        tokens.set(client, t);
      }
      return t;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (createdWebhooks.length > 0) {
        await admin.query(
          `UPDATE webhook_subscriptions SET status = 'disabled', disabled_reason = 'test_cleanup', disabled_at = now()
            WHERE subscription_id = ANY($1::uuid[]) AND status = 'active'`, [createdWebhooks]);
      }
      await pool.end();
      await admin.end();
      objects.close();
      heads.close();
      redis?.disconnect();
      if (!o.idp) await idp.close();
    },
  };
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

/**
 * One HTTP call; the answer is checked against the OpenAPI document for `operationId` (declared status, content
 * type and schema), so every test also proves the contract.
 */
export async function call(
  h: Harness,
  operationId: string | null,
  method: string,
  path: string,
  opts: { as?: string; token?: string; headers?: Record<string, string>; json?: unknown; body?: RequestInit['body'] } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token ?? (opts.as ? await h.token(opts.as) : undefined);
  if (token) headers.authorization = `Bearer ${token}`;
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(h.url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  const ct = res.headers.get('content-type') ?? undefined;
  let parsed: unknown = undefined;
  if (text && ct && /json/.test(ct)) parsed = JSON.parse(text);
  if (operationId) {
    const issues = h.openapi.validateResponse(operationId, res.status, ct, parsed ?? (text || undefined));
    if (issues.length) throw new Error(`${method} ${path} -> ${res.status} breaks the contract: ${JSON.stringify(issues)} body=${text.slice(0, 300)}`);
  }
  if (res.status >= 400 && ct?.startsWith('application/problem+json')) {
    // No stack traces, SQL or host names ever reach a client.
    if (/\bat [\w.<>]+ \(|node_modules|SELECT |INSERT |127\.0\.0\.1:\d{4,5}|ECONNREFUSED/.test(text)) {
      throw new Error(`problem body leaks internals: ${text.slice(0, 300)}`);
    }
  }
  const id = (parsed as { subscriptionId?: unknown } | undefined)?.subscriptionId;
  if (method === 'POST' && path === '/v1/webhooks' && res.status === 201 && typeof id === 'string') h.createdWebhooks.push(id);
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function outboxRows(h: Harness, where: string, values: unknown[]) {
  const r = await h.admin.query<{ routing_key: string; exchange: string; mandatory: boolean; body: Buffer; headers: Record<string, string> }>(
    `SELECT routing_key, exchange, mandatory, body, headers FROM public.outbox WHERE ${where} ORDER BY id`, values);
  return r.rows.map((x) => ({ ...x, event: JSON.parse(x.body.toString('utf8')) }));
}

/**
 * A queued job written directly (as the superuser, no outbox message): the stack's running workers never see it,
 * so tests that need a job to stay non-terminal are not racing them.
 */
export async function seedJob(h: Harness, scene: string, submitBy: string, businessRef = `seed-${Date.now()}`): Promise<string> {
  const { v7 } = await import('uuid');
  const id = v7();
  await h.admin.query(
    `INSERT INTO jobs (job_id, tenant_scene, business_ref, source_type, submit_by, raw_bucket, raw_key)
     VALUES ($1, $2, $3, 'inner_oss_ref', $4, $5, 'fixtures/none')`,
    [id, scene, businessRef, submitBy, h.settings.buckets.raw],
  );
  return id;
}
