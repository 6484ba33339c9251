export { createS3Client } from './s3-client.js';
export type { S3ConnectionOptions } from './s3-client.js';
export { CHUNKS_RETENTION_TAG } from './retention.js';
