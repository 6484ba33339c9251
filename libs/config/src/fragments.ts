/**
 * Reusable schema fragments: the environment contract shared by every service (docs/configuration.md). A service
 * composes the ones it needs: `z.object({ ...commonEnv, ...postgresEnv, ...amqpEnv, DPH_X: int(1, 9) })`.
 */
import { hostname } from 'node:os';
import { bool, duration, int, oneOf, port, readableFile, secret, str, url } from './fields.js';

export const DPH_ENVS = ['development', 'test', 'production'] as const;
export type DphEnv = (typeof DPH_ENVS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const commonEnv = {
  DPH_ENV: oneOf(DPH_ENVS).default('development'),
  DPH_LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
  DPH_SERVICE_INSTANCE: str('a non-empty instance name').default(hostname()),
  DPH_HTTP_HOST: str('a host name or address').default('0.0.0.0'),
  // 0 asks the OS for a free port (tests); the bound port is logged.
  DPH_HTTP_PORT: int(0, 65535).default(8080),
  DPH_SHUTDOWN_TIMEOUT_MS: duration({ min: 100, max: 600_000 }).default(20_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http:', 'https:']).optional(),
};

/** CA bundle for every backing service, plus an optional client certificate for mTLS. */
export const tlsEnv = {
  DPH_TLS_CA_FILE: readableFile(),
  DPH_TLS_CLIENT_CERT_FILE: readableFile().optional(),
  DPH_TLS_CLIENT_KEY_FILE: readableFile().optional(),
};

export const postgresEnv = {
  DPH_PG_HOST: str('a host name or address'),
  DPH_PG_PORT: port().default(5432),
  DPH_PG_DATABASE: str('a database name'),
  DPH_PG_USER: str('a role name'),
  DPH_PG_PASSWORD: secret(),
  // Only certificate-verifying modes exist here: plaintext and unverified TLS are not options (DESIGN §6).
  DPH_PG_SSLMODE: oneOf(['verify-full', 'verify-ca']).default('verify-full'),
  DPH_PG_POOL_MAX: int(1, 200).default(10),
};

export const amqpEnv = {
  DPH_AMQP_URL: url(['amqps:'], 'an amqps:// URL (plaintext amqp:// is refused)'),
  /** Deliveries before a quorum queue dead-letters a message (x-delivery-limit). */
  DPH_AMQP_DELIVERY_LIMIT: int(1, 100).default(5),
  DPH_AMQP_PREFETCH: int(1, 1000).default(16),
};

export const redisEnv = {
  DPH_REDIS_URL: url(['rediss:'], 'a rediss:// URL (plaintext redis:// is refused)'),
};

export const s3Env = {
  DPH_S3_ENDPOINT: url(['https:'], 'an https:// URL'),
  DPH_S3_REGION: str('a region name').default('us-east-1'),
  DPH_S3_ACCESS_KEY_ID: secret(),
  DPH_S3_SECRET_ACCESS_KEY: secret(),
  DPH_S3_KMS_KEY_ID: str('a KMS key id'),
  DPH_S3_FORCE_PATH_STYLE: bool().default(false),
  DPH_BUCKET_RAW: str('a bucket name'),
  DPH_BUCKET_PARSED: str('a bucket name'),
  DPH_BUCKET_AUDIT: str('a bucket name'),
};
