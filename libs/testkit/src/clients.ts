import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceEnv, stackDir, stackEnv, envFile, type StackService } from './stack-env.js';

/** The development CA (PEM) that signs every local backing service's certificate. */
export function caCert(): string {
  return readFileSync(stackEnv().DPH_TLS_CA_FILE!, 'utf8');
}

export interface PgClientConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  ssl: { ca: string; rejectUnauthorized: true };
}

/** A `pg` Client/Pool config for the service's role, TLS verified against the CA (verify-full). */
export function pgClientConfig(name: StackService): PgClientConfig {
  const e = serviceEnv(name);
  return {
    host: e.DPH_PG_HOST!,
    port: Number(e.DPH_PG_PORT),
    database: e.DPH_PG_DATABASE!,
    user: e.DPH_PG_USER!,
    password: e.DPH_PG_PASSWORD!,
    ssl: { ca: caCert(), rejectUnauthorized: true },
  };
}

/** Superuser config, for tests that set up or inspect state across roles. */
export const pgAdminClientConfig = (): PgClientConfig => pgClientConfig('admin');

export const amqpUrl = (): string => stackEnv().DPH_AMQP_URL!;
/** amqplib socket options: `connect(amqpUrl(), amqpSocketOptions())`. */
export const amqpSocketOptions = (): { ca: string[] } => ({ ca: [caCert()] });

export const redisUrl = (): string => stackEnv().DPH_REDIS_URL!;
/** ioredis `tls` option: `new Redis(redisUrl(), { tls: redisTlsOptions() })`. */
export const redisTlsOptions = (): { ca: string } => ({ ca: caCert() });

export interface S3ConnectionSettings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  ca: string;
  kmsKeyId: string;
  buckets: { raw: string; parsed: string; audit: string };
}

/** Fits @dph/storage's createS3Client(...) and adds the KMS key id and bucket names. */
export function s3ConnectionOptions(): S3ConnectionSettings {
  const e = stackEnv();
  return {
    endpoint: e.DPH_S3_ENDPOINT!,
    region: e.DPH_S3_REGION!,
    accessKeyId: e.DPH_S3_ACCESS_KEY_ID!,
    secretAccessKey: e.DPH_S3_SECRET_ACCESS_KEY!,
    forcePathStyle: e.DPH_S3_FORCE_PATH_STYLE === 'true',
    ca: caCert(),
    kmsKeyId: e.DPH_S3_KMS_KEY_ID!,
    buckets: { raw: e.DPH_BUCKET_RAW!, parsed: e.DPH_BUCKET_PARSED!, audit: e.DPH_BUCKET_AUDIT! },
  };
}

/** https URL of the orchestrator-api the stack started. */
export const apiUrl = (): string => stackEnv().DPH_API_URL!;

export function stackPaths() {
  const dir = stackDir();
  return { dir, envFile: envFile(), logs: join(dir, 'logs'), caFile: join(dir, 'tls', 'ca.crt') };
}
