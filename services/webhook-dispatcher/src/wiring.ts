/** Builds the dispatcher's parts from config (kept out of main.ts so main stays wiring order only). */
import { readFileSync } from 'node:fs';
import { enqueueOutboxMany, withTransaction, type Pool } from '@dph/db';
import { createGuardedAgent } from '@dph/egress';
import { createNodeVault, DeliveryEngine, secretBoxFromFile, type EngineHooks, type SecretStorage } from '@dph/webhooks';
import type { Config } from './config.js';

export function secretStorage(config: Config): SecretStorage {
  const previous = (config.DPH_WEBHOOK_SECRET_PREVIOUS_KEY_FILES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    box: config.DPH_WEBHOOK_SECRET_KEY_FILE ? secretBoxFromFile(config.DPH_WEBHOOK_SECRET_KEY_FILE, previous) : undefined,
    vault:
      config.DPH_VAULT_ADDR && config.DPH_VAULT_TOKEN
        ? createNodeVault({
            endpoint: config.DPH_VAULT_ADDR,
            token: config.DPH_VAULT_TOKEN,
            mount: config.DPH_VAULT_KV_MOUNT,
            ca: readFileSync(config.DPH_TLS_CA_FILE),
          })
        : undefined,
  };
}

export function buildEngine(config: Config, pool: Pool, hooks: EngineHooks): { engine: DeliveryEngine; agent: { close(): Promise<void> } } {
  const allowHttp = config.DPH_ENV === 'development';
  const agent = createGuardedAgent({
    allowCidrs: config.DPH_EGRESS_ALLOW_CIDRS,
    ...(config.DPH_EGRESS_CA_FILE ? { ca: readFileSync(config.DPH_EGRESS_CA_FILE) } : {}),
    connections: config.DPH_WEBHOOK_ENDPOINT_CONCURRENCY || 64,
    keepAliveTimeoutMs: 10_000,
    connectTimeoutMs: Math.min(config.DPH_WEBHOOK_TIMEOUT_MS, 10_000),
  });
  const engine = new DeliveryEngine({
    db: {
      q: pool,
      tx: (fn, opts) => withTransaction(pool, fn, { durable: opts?.durable ?? true }),
      enqueueOutbox: enqueueOutboxMany,
    },
    storage: secretStorage(config),
    dispatcher: agent,
    allowHttp,
    allowCidrs: config.DPH_EGRESS_ALLOW_CIDRS,
    policy: {
      maxAttempts: config.DPH_WEBHOOK_MAX_ATTEMPTS,
      baseDelayMs: config.DPH_WEBHOOK_BACKOFF_BASE_MS,
      maxDelayMs: config.DPH_WEBHOOK_BACKOFF_MAX_MS,
      retryAfterCapMs: config.DPH_WEBHOOK_RETRY_AFTER_CAP_MS,
    },
    timeoutMs: config.DPH_WEBHOOK_TIMEOUT_MS,
    concurrency: config.DPH_WEBHOOK_CONCURRENCY,
    endpointConcurrency: config.DPH_WEBHOOK_ENDPOINT_CONCURRENCY,
    batchSize: config.DPH_WEBHOOK_CLAIM_BATCH,
    leaseMs: config.DPH_WEBHOOK_LEASE_MS ?? config.DPH_WEBHOOK_TIMEOUT_MS + 15_000,
    pollIntervalMs: config.DPH_WEBHOOK_POLL_MS,
    disableAfterFailures: config.DPH_WEBHOOK_DISABLE_AFTER_FAILURES,
    disableAfterMs: config.DPH_WEBHOOK_DISABLE_AFTER_MS,
    onlyScene: config.DPH_WEBHOOK_ONLY_SCENE ?? null,
    orderHoldMs: config.DPH_WEBHOOK_ORDER_HOLD_MS,
    hooks,
  });
  return { engine, agent };
}

/** Backlog per endpoint for the gauge: the largest 100 endpoints by name, the rest folded into "other". */
export async function readBacklog(pool: Pool): Promise<Array<{ endpoint: string; count: number }>> {
  const { rows } = await pool.query<{ endpoint: string; count: string }>(
    `SELECT coalesce(subscription_id::text, 'job_callback') AS endpoint, count(*) AS count
       FROM webhook_deliveries WHERE status IN ('pending', 'failed')
      GROUP BY 1 ORDER BY 2 DESC`,
  );
  const out = rows.slice(0, 100).map((r) => ({ endpoint: r.endpoint, count: Number(r.count) }));
  const rest = rows.slice(100).reduce((n, r) => n + Number(r.count), 0);
  if (rest) out.push({ endpoint: 'other', count: rest });
  return out;
}
