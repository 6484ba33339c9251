/**
 * @dph/storage: S3-generic object storage (AWS S3, MinIO, ...). Every write asks for SSE-KMS; reading an object
 * that is not KMS-encrypted is an error (object_not_kms_encrypted).
 */
export { createS3Client } from './s3-client.js';
export type { S3ConnectionOptions } from './s3-client.js';
export { S3ObjectStore } from './object-store.js';
export { createObjectHead, type HeadResult, type ObjectHead } from './object-head.js';
export type { ObjectStore, ObjectBody, ObjectMeta, ObjectSummary, PutOptions, PutResult, S3ObjectStoreOptions } from './object-store.js';
export { storageConfigFromEnv, storageEnvSchema } from './config.js';
export type { StorageConfig } from './config.js';
export { CHUNKS_RETENTION_TAG } from './retention.js';
export { objectStoreFromConfig } from './factory.js';
