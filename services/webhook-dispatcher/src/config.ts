/** webhook-dispatcher settings: the common contract (see ../README.md). */
import { amqpEnv, commonEnv, configOrExit, loadConfigOrExit, postgresEnv, tlsEnv, z, type Env } from '@dph/config';
import { pgSettingsFromEnv, type PgSettings } from '@dph/db';

export const SERVICE = 'webhook-dispatcher';

export const configSchema = z.object({ ...commonEnv, ...tlsEnv, ...postgresEnv, ...amqpEnv });

export type Config = z.output<typeof configSchema>;

export function loadSettings(env: Env = process.env): { config: Readonly<Config>; pg: PgSettings } {
  const config = loadConfigOrExit(configSchema, env);
  return configOrExit(() => ({ config, pg: pgSettingsFromEnv(env) }));
}
