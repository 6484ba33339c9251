import type { S3Client } from '@aws-sdk/client-s3';
import type { StorageConfig } from './config.js';
import { S3ObjectStore } from './object-store.js';
import { createS3Client } from './s3-client.js';

/** Builds the client and the store together; `close()` releases the client's sockets at shutdown. */
export function objectStoreFromConfig(cfg: StorageConfig): { store: S3ObjectStore; client: S3Client; close: () => void } {
  const client = createS3Client(cfg.connection);
  return { store: new S3ObjectStore({ client, kmsKeyId: cfg.kmsKeyId }), client, close: () => client.destroy() };
}
