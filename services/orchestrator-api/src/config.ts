/** orchestrator-api settings: the common contract plus the API's own (see ../README.md). */
import {
  amqpEnv, commonEnv, configOrExit, loadConfigOrExit, postgresEnv, readableFile, redisEnv, s3Env, tlsEnv, z,
  type Env,
} from '@dph/config';
import { pgSettingsFromEnv, type PgSettings } from '@dph/db';
import { storageConfigFromEnv, type StorageConfig } from '@dph/storage';

export const SERVICE = 'orchestrator-api';

export const configSchema = z
  .object({
    ...commonEnv,
    ...tlsEnv,
    ...postgresEnv,
    ...amqpEnv,
    ...redisEnv,
    ...s3Env,
    /** Server certificate and key for HTTPS on DPH_HTTP_PORT; required in production. */
    DPH_API_TLS_CERT_FILE: readableFile().optional(),
    DPH_API_TLS_KEY_FILE: readableFile().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.DPH_ENV === 'production' && !c.DPH_API_TLS_CERT_FILE) {
      ctx.addIssue({ code: 'custom', path: ['DPH_API_TLS_CERT_FILE'], message: 'expected a certificate file when DPH_ENV=production' });
    }
  });

export type Config = z.output<typeof configSchema>;

export interface Settings {
  config: Readonly<Config>;
  pg: PgSettings;
  storage: StorageConfig;
}

/** Parses everything once at start-up; a bad value ends the process with one line naming the variable. */
export function loadSettings(env: Env = process.env): Settings {
  const config = loadConfigOrExit(configSchema, env);
  return configOrExit(() => ({ config, pg: pgSettingsFromEnv(env), storage: storageConfigFromEnv(env) }));
}
