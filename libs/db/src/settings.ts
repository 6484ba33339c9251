/**
 * Postgres connection settings, from the environment contract (DPH_PG_*, DPH_TLS_*). Only certificate-verifying
 * TLS modes exist: verify-full checks the chain and the host name, verify-ca only the chain.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadConfig, postgresEnv, tlsEnv, type Env } from '@dph/config';

export interface PgSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  sslmode: 'verify-full' | 'verify-ca';
  /** PEM contents, not paths: read once so a rotated file does not half-apply. */
  ca: string;
  clientCert?: string | undefined;
  clientKey?: string | undefined;
  poolMax: number;
}

const pgSchema = z.object({ ...tlsEnv, ...postgresEnv });

export function pgSettingsFromEnv(env: Env = process.env): PgSettings {
  const c = loadConfig(pgSchema, env);
  return Object.freeze({
    host: c.DPH_PG_HOST,
    port: c.DPH_PG_PORT,
    database: c.DPH_PG_DATABASE,
    user: c.DPH_PG_USER,
    password: c.DPH_PG_PASSWORD,
    sslmode: c.DPH_PG_SSLMODE,
    ca: readFileSync(c.DPH_TLS_CA_FILE, 'utf8'),
    clientCert: c.DPH_TLS_CLIENT_CERT_FILE ? readFileSync(c.DPH_TLS_CLIENT_CERT_FILE, 'utf8') : undefined,
    clientKey: c.DPH_TLS_CLIENT_KEY_FILE ? readFileSync(c.DPH_TLS_CLIENT_KEY_FILE, 'utf8') : undefined,
    poolMax: c.DPH_PG_POOL_MAX,
  });
}
