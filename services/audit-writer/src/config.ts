/** audit-writer settings: the common contract (see ../README.md). */
import { amqpEnv, commonEnv, configOrExit, loadConfigOrExit, postgresEnv, s3Env, tlsEnv, z, type Env } from '@dph/config';
import { pgSettingsFromEnv, type PgSettings } from '@dph/db';
import { storageConfigFromEnv, type StorageConfig } from '@dph/storage';

export const SERVICE = 'audit-writer';

export const configSchema = z.object({ ...commonEnv, ...tlsEnv, ...postgresEnv, ...amqpEnv, ...s3Env });

export type Config = z.output<typeof configSchema>;

export function loadSettings(env: Env = process.env): { config: Readonly<Config>; pg: PgSettings; storage: StorageConfig } {
  const config = loadConfigOrExit(configSchema, env);
  return configOrExit(() => ({ config, pg: pgSettingsFromEnv(env), storage: storageConfigFromEnv(env) }));
}
