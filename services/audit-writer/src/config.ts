/** audit-writer settings: the common contract (see ../README.md). */
import { amqpEnv, commonEnv, configOrExit, duration, int, loadConfigOrExit, postgresEnv, s3Env, tlsEnv, z, type Env } from '@dph/config';
import { QUEUES } from '@dph/contracts';
import { pgSettingsFromEnv, type PgSettings } from '@dph/db';
import { storageConfigFromEnv, type StorageConfig } from '@dph/storage';

export const SERVICE = 'audit-writer';

export const configSchema = z.object({
  ...commonEnv,
  ...tlsEnv,
  ...postgresEnv,
  ...amqpEnv,
  ...s3Env,
  /** The queue consumed (bound to dph.audit audit.#). Only side-by-side runs and tests change it. */
  DPH_AUDIT_QUEUE: z.string().regex(/^dph\.[a-z0-9._-]{1,120}$/, { error: 'expected a queue name starting with dph.' }).default(QUEUES.audit),
  /** The queue of batch messages (bound to dph.audit audit-batch.#; see auditBatchRoutingKey). */
  DPH_AUDIT_BATCH_QUEUE: z.string().regex(/^dph\.[a-z0-9._-]{1,120}$/, { error: 'expected a queue name starting with dph.' }).default(QUEUES.auditBatches),
  /**
   * Unacked batch messages the writer holds at most. A dispatcher batch carries up to 100 events, so the default
   * buffers at most 4,000 events from this queue, as DPH_AUDIT_PREFETCH does from the other.
   */
  DPH_AUDIT_BATCH_PREFETCH: int(1, 1_000).default(40),
  /** Events per INSERT. */
  DPH_AUDIT_BATCH_SIZE: int(1, 10_000).default(1000),
  /** How long a partial batch waits for more events before it is written. */
  DPH_AUDIT_FLUSH_INTERVAL_MS: duration({ min: 1, max: 10_000 }).default(50),
  /** Unacked events the writer holds at most (memory bound under backpressure); at least one batch. */
  DPH_AUDIT_PREFETCH: int(1, 50_000).default(4000),
  /** Readiness fails when events wait this long with no batch committed (ingest stalled). */
  DPH_AUDIT_STALL_AFTER: duration({ min: 1000, max: 3_600_000 }).default(30_000),
  /** Rows older than this (time they joined the chain) go to cold storage; rows are never deleted. */
  DPH_AUDIT_ARCHIVE_AFTER: duration({ min: 0, max: 3650 * 86_400_000 }).default(30 * 86_400_000),
  /** How often a cold-storage run is attempted; 0 switches archiving off. */
  DPH_AUDIT_ARCHIVE_INTERVAL: duration({ min: 0, max: 7 * 86_400_000 }).default(3_600_000),
  /** Object key prefix of archives in the audit bucket. */
  DPH_AUDIT_ARCHIVE_PREFIX: z.string().regex(/^[a-z0-9][a-z0-9/_-]{0,62}$/, { error: 'expected a key prefix such as archive' }).default('archive'),
});

export type Config = z.output<typeof configSchema>;

export function loadSettings(env: Env = process.env): { config: Readonly<Config>; pg: PgSettings; storage: StorageConfig } {
  const config = loadConfigOrExit(configSchema, env);
  return configOrExit(() => ({ config, pg: pgSettingsFromEnv(env), storage: storageConfigFromEnv(env) }));
}
