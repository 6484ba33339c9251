/** orchestrator-api settings: the common contract plus the API's own (see ../README.md). */
import {
  amqpEnv, bool, commonEnv, configOrExit, csv, duration, int, loadConfigOrExit, postgresEnv, readableFile, redisEnv,
  s3Env, str, tlsEnv, z, type Env,
} from '@dph/config';
import { parseAuthSettings, type AuthSettings } from '@dph/auth';
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
    // Authentication: validated by @dph/auth's parser (listed here so *_FILE indirection applies to them too).
    DPH_AUTH_MODE: str().optional(),
    DPH_OIDC_ISSUER: str().optional(),
    DPH_OIDC_AUDIENCE: str().optional(),
    DPH_OIDC_SCENES_CLAIM: str().optional(),
    DPH_OIDC_ROLES_CLAIM: str().optional(),
    DPH_OIDC_ALGORITHMS: str().optional(),
    DPH_OIDC_CLOCK_TOLERANCE_SEC: str().optional(),
    DPH_OIDC_MAX_TOKEN_BYTES: str().optional(),
    DPH_OIDC_JWKS_COOLDOWN_MS: str().optional(),
    DPH_OIDC_JWKS_REFRESH_MS: str().optional(),
    DPH_OIDC_JWKS_MAX_STALE_MS: str().optional(),
    DPH_OIDC_JWKS_TIMEOUT_MS: str().optional(),
    DPH_OIDC_DISCOVERY_REFRESH_MS: str().optional(),
    /** Verified tokens remembered by hash so repeated bearer tokens skip signature checks (0 turns it off). */
    DPH_OIDC_TOKEN_CACHE_SIZE: str().default('10000'),
    DPH_OIDC_TOKEN_CACHE_MAX_AGE_MS: str().optional(),
    /** Limits: direct uploads (default 100 MiB), JSON bodies, presigned_url sources (size and whole-fetch time). */
    DPH_API_MAX_UPLOAD_BYTES: int(1024, 10 * 1024 ** 3).default(100 * 1024 ** 2),
    DPH_API_MAX_JSON_BYTES: int(1024, 10 * 1024 ** 2).default(64 * 1024),
    DPH_API_SOURCE_MAX_BYTES: int(1024, 10 * 1024 ** 3).default(100 * 1024 ** 2),
    DPH_API_SOURCE_TIMEOUT_MS: duration({ min: 100, max: 600_000 }).default(30_000),
    /** Buckets an inner_oss_ref may name (default: the raw bucket). */
    DPH_API_INNER_OSS_BUCKETS: csv().optional(),
    /** Defaults to true when DPH_ENV=production. */
    DPH_API_REQUIRE_IDEMPOTENCY_KEY: bool().optional(),
    /** The outbox relay gathers NOTIFYs this long before taking a batch (0: one batch per NOTIFY). */
    DPH_API_OUTBOX_NOTIFY_DELAY_MS: int(0, 1_000).default(20),
    DPH_RATE_LIMIT_SUBJECT_PER_MIN: int(1, 10_000_000).default(1_200),
    DPH_RATE_LIMIT_SCENE_PER_MIN: int(1, 100_000_000).default(12_000),
    DPH_EGRESS_ALLOW_CIDRS: str().optional(),
    /** Extra CA bundle trusted for presigned_url sources beside the public roots (the local stack: its development CA). */
    DPH_EGRESS_CA_FILE: readableFile().optional(),
    /** 32-byte key (raw, hex or base64) sealing webhook secrets at rest; development generates one per process. */
    DPH_WEBHOOK_SECRET_KEY_FILE: readableFile().optional(),
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
  auth: AuthSettings;
}

/** Parses everything once at start-up; a bad value ends the process with one line naming the variable. */
export function loadSettings(env: Env = process.env): Settings {
  const config = loadConfigOrExit(configSchema, env);
  return configOrExit(() => ({
    config,
    pg: pgSettingsFromEnv(env),
    storage: storageConfigFromEnv(env),
    auth: parseAuthSettings(config as unknown as Record<string, string | undefined>),
  }));
}
