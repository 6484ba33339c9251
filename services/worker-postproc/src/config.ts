/** worker-postproc settings: the common contract plus the zone this deployment serves (see ../README.md). */
import { CLASSIFICATIONS, SCENE_PATTERN } from '@dph/contracts';
import {
  amqpEnv, commonEnv, configOrExit, csv, int, loadConfigOrExit, postgresEnv, s3Env, str, tlsEnv, z, type Env,
} from '@dph/config';
import { pgSettingsFromEnv, type PgSettings } from '@dph/db';
import { storageConfigFromEnv, type StorageConfig } from '@dph/storage';

export const SERVICE = 'worker-postproc';

export const configSchema = z.object({
  ...commonEnv,
  ...tlsEnv,
  ...postgresEnv,
  ...amqpEnv,
  ...s3Env,
  /** Zone name: part of the queue names (dph.parse.<zone>.<band>). */
  DPH_WORKER_ZONE: str('a zone name of lowercase letters, digits, - or _')
    .refine((v) => SCENE_PATTERN.test(v), { error: 'expected a zone name of lowercase letters, digits, - or _' })
    .default('default'),
  /** Classifications whose parse tasks this zone's queues bind. */
  DPH_WORKER_CLASSIFICATIONS: csv(CLASSIFICATIONS).default([...CLASSIFICATIONS]),
  /** Tasks handled at the same time by one replica. */
  DPH_WORKER_CONCURRENCY: int(1, 64).default(2),
});

export type Config = z.output<typeof configSchema>;

export interface Settings {
  config: Readonly<Config>;
  pg: PgSettings;
  storage: StorageConfig;
}

export function loadSettings(env: Env = process.env): Settings {
  const config = loadConfigOrExit(configSchema, env);
  return configOrExit(() => ({ config, pg: pgSettingsFromEnv(env), storage: storageConfigFromEnv(env) }));
}
