/** audit-writer settings: the common contract (see ../README.md). */
import { amqpEnv, commonEnv, configOrExit, duration, int, loadConfigOrExit, postgresEnv, s3Env, tlsEnv, z, type Env } from '@dph/config';
import { pgSettingsFromEnv, type PgSettings } from '@dph/db';
import { storageConfigFromEnv, type StorageConfig } from '@dph/storage';

export const SERVICE = 'audit-writer';

export const configSchema = z.object({
  ...commonEnv,
  ...tlsEnv,
  ...postgresEnv,
  ...amqpEnv,
  ...s3Env,
  /** Events per INSERT. */
  DPH_AUDIT_BATCH_SIZE: int(1, 10_000).default(1000),
  /** How long a partial batch waits for more events before it is written. */
  DPH_AUDIT_FLUSH_INTERVAL_MS: duration({ min: 1, max: 10_000 }).default(50),
  /** Unacked events the writer holds at most (memory bound under backpressure); at least one batch. */
  DPH_AUDIT_PREFETCH: int(1, 50_000).default(4000),
});

export type Config = z.output<typeof configSchema>;

export function loadSettings(env: Env = process.env): { config: Readonly<Config>; pg: PgSettings; storage: StorageConfig } {
  const config = loadConfigOrExit(configSchema, env);
  return configOrExit(() => ({ config, pg: pgSettingsFromEnv(env), storage: storageConfigFromEnv(env) }));
}
