import { readFileSync } from 'node:fs';
import { loadConfig, s3Env, tlsEnv, z, type Env } from '@dph/config';
import type { S3ConnectionOptions } from './s3-client.js';

export const storageEnvSchema = z.object({ ...tlsEnv, ...s3Env });

export interface StorageConfig {
  connection: S3ConnectionOptions;
  /** Key id every write asks for (SSE-KMS); also the bucket default. */
  kmsKeyId: string;
  buckets: { raw: string; parsed: string; audit: string };
}

/** Reads DPH_S3_*, DPH_BUCKET_* and DPH_TLS_* (each also as *_FILE) once; a bad value names the variable. */
export function storageConfigFromEnv(env: Env = process.env): StorageConfig {
  const c = loadConfig(storageEnvSchema, env);
  return {
    connection: {
      endpoint: c.DPH_S3_ENDPOINT,
      region: c.DPH_S3_REGION,
      accessKeyId: c.DPH_S3_ACCESS_KEY_ID,
      secretAccessKey: c.DPH_S3_SECRET_ACCESS_KEY,
      forcePathStyle: c.DPH_S3_FORCE_PATH_STYLE,
      ca: readFileSync(c.DPH_TLS_CA_FILE),
      ...(c.DPH_TLS_CLIENT_CERT_FILE && c.DPH_TLS_CLIENT_KEY_FILE
        ? { clientCert: readFileSync(c.DPH_TLS_CLIENT_CERT_FILE), clientKey: readFileSync(c.DPH_TLS_CLIENT_KEY_FILE) }
        : {}),
    },
    kmsKeyId: c.DPH_S3_KMS_KEY_ID,
    buckets: { raw: c.DPH_BUCKET_RAW, parsed: c.DPH_BUCKET_PARSED, audit: c.DPH_BUCKET_AUDIT },
  };
}
