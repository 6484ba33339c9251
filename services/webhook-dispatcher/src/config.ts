/** webhook-dispatcher settings: the common contract (see ../README.md) plus the delivery policy. */
import { amqpEnv, commonEnv, configOrExit, duration, int, loadConfigOrExit, postgresEnv, readableFile, secret, str, tlsEnv, url, z, type Env } from '@dph/config';
import { ConfigError } from '@dph/errors';
import { pgSettingsFromEnv, type PgSettings } from '@dph/db';
import { parseCidrList } from '@dph/egress';

export const SERVICE = 'webhook-dispatcher';

export const configSchema = z.object({
  ...commonEnv,
  ...tlsEnv,
  ...postgresEnv,
  ...amqpEnv,
  /** Ranges opened on purpose for outbound delivery (the local stack: 127.0.0.0/8,::1). */
  DPH_EGRESS_ALLOW_CIDRS: str('a comma-separated CIDR list').optional(),
  /** Extra CA bundle trusted for outbound HTTPS besides the public roots (the local stack: its development CA). */
  DPH_EGRESS_CA_FILE: readableFile().optional(),
  /** 32-byte key (raw, hex or base64) that seals subscription secrets in Postgres. */
  DPH_WEBHOOK_SECRET_KEY_FILE: readableFile().optional(),
  /** Earlier keys, still able to open secrets sealed before a key rotation (comma-separated paths). */
  DPH_WEBHOOK_SECRET_PREVIOUS_KEY_FILES: str('comma-separated file paths').optional(),
  DPH_VAULT_ADDR: url(['https:', 'http:']).optional(),
  DPH_VAULT_TOKEN: secret().optional(),
  DPH_VAULT_KV_MOUNT: str('a KV v2 mount name').default('secret'),
  DPH_WEBHOOK_TIMEOUT_MS: duration({ min: 100, max: 120_000 }).default(15_000),
  DPH_WEBHOOK_MAX_ATTEMPTS: int(1, 50).default(5),
  DPH_WEBHOOK_BACKOFF_BASE_MS: duration({ min: 1, max: 3_600_000 }).default(10_000),
  DPH_WEBHOOK_BACKOFF_MAX_MS: duration({ min: 1, max: 86_400_000 }).default(3_600_000),
  DPH_WEBHOOK_RETRY_AFTER_CAP_MS: duration({ min: 0, max: 86_400_000 }).default(3_600_000),
  DPH_WEBHOOK_CONCURRENCY: int(1, 2000).default(256),
  /**
   * Most deliveries of one endpoint a replica holds at a time (in flight or waiting), so a slow or failing endpoint
   * cannot take every slot; also the HTTP connections kept per origin. 0 (the default): no share, 64 connections.
   * Off by default: with a share, a burst to one endpoint beyond it goes through claims (a second row write each).
   */
  DPH_WEBHOOK_ENDPOINT_CONCURRENCY: int(0, 2000).default(0),
  DPH_WEBHOOK_CLAIM_BATCH: int(1, 1000).default(128),
  /** How long a claimed delivery is hidden from other claims; must exceed one attempt. Default: timeout + 15 s. */
  DPH_WEBHOOK_LEASE_MS: duration({ min: 200, max: 600_000 }).optional(),
  DPH_WEBHOOK_POLL_MS: duration({ min: 10, max: 60_000 }).default(500),
  DPH_WEBHOOK_DISABLE_AFTER_FAILURES: int(1, 1_000_000).default(100),
  DPH_WEBHOOK_DISABLE_AFTER_MS: duration({ min: 0, max: 30 * 86_400_000 }).default(86_400_000),
  /**
   * The audit outbox relay gathers commit notifications this long before publishing (one relay round per window
   * instead of one per recorded batch); audit events are not on the path to the receiver.
   */
  DPH_WEBHOOK_OUTBOX_NOTIFY_DELAY_MS: int(0, 1_000).default(50),
  /**
   * How long a delivery waits for an earlier event of its job that no dispatcher has recorded yet (another replica
   * may hold it); past this it is sent anyway and webhook_order_hold_expired_total counts it.
   */
  DPH_WEBHOOK_ORDER_HOLD_MS: duration({ min: 0, max: 3_600_000 }).default(60_000),
  /** Claim only one scene's deliveries (scene-sharded dispatchers; tests sharing a database). */
  DPH_WEBHOOK_ONLY_SCENE: str('a scene name').optional(),
  /**
   * Consume this queue instead of the shared dph.webhooks.events, declared without bindings: whoever sets it feeds
   * it directly (the benchmark, so the stack's own dispatcher does not take its events).
   */
  DPH_WEBHOOK_EVENTS_QUEUE: str('a queue name').regex(/^[a-z0-9][a-z0-9._-]{0,200}$/).optional(),
});

export type Config = z.output<typeof configSchema>;

export function loadSettings(env: Env = process.env): { config: Readonly<Config>; pg: PgSettings } {
  const config = loadConfigOrExit(configSchema, env);
  return configOrExit(() => {
    if (!config.DPH_WEBHOOK_SECRET_KEY_FILE && !(config.DPH_VAULT_ADDR && config.DPH_VAULT_TOKEN)) {
      throw new ConfigError('DPH_WEBHOOK_SECRET_KEY_FILE', 'a key file, or DPH_VAULT_ADDR with DPH_VAULT_TOKEN, is required to sign webhooks');
    }
    if (config.DPH_EGRESS_ALLOW_CIDRS) {
      try {
        parseCidrList(config.DPH_EGRESS_ALLOW_CIDRS);
      } catch {
        throw new ConfigError('DPH_EGRESS_ALLOW_CIDRS', 'expected a comma-separated list of CIDRs or addresses');
      }
    }
    if (config.DPH_WEBHOOK_LEASE_MS !== undefined && config.DPH_WEBHOOK_LEASE_MS <= config.DPH_WEBHOOK_TIMEOUT_MS) {
      throw new ConfigError('DPH_WEBHOOK_LEASE_MS', 'must be longer than DPH_WEBHOOK_TIMEOUT_MS');
    }
    return { config, pg: pgSettingsFromEnv(env) };
  });
}
