import { readFileSync } from 'node:fs';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createS3Client, CHUNKS_RETENTION_TAG } from '@dph/storage';
import { step } from './log.js';
import { paths } from './paths.js';
import { minioEndpoint } from './minio.js';
import type { Settings } from './settings.js';
import type { Secrets } from './state.js';

export function adminS3(s: Settings, secrets: Secrets): S3Client {
  return createS3Client({
    endpoint: minioEndpoint(s),
    region: s.s3Region,
    accessKeyId: secrets.minioRootUser,
    secretAccessKey: secrets.minioRootPassword,
    forcePathStyle: true,
    ca: readFileSync(paths.caCert),
  });
}

const expire = (id: string, days: number, filter: LifecycleRule['Filter']): LifecycleRule => ({
  ID: id,
  Status: 'Enabled',
  Filter: filter,
  Expiration: { Days: days },
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
});

/**
 * Lifecycle rules. S3 filters match a key prefix, object tags and sizes, never a suffix, so "chunks.json under
 * parsed/{scene}/{date}/{jobId}/" cannot be a prefix rule. The nearest correct design: the worker tags chunks
 * objects with CHUNKS_RETENTION_TAG and a tag-filtered rule expires them after 7 days; the bucket-wide rule
 * expires everything else after 30.
 */
export function lifecycleRules(s: Settings): Record<'raw' | 'parsed' | 'audit', LifecycleRule[]> {
  return {
    raw: [expire('raw-expiry', s.rawDays, { Prefix: '' })],
    parsed: [
      expire('parsed-expiry', s.parsedDays, { Prefix: '' }),
      expire('chunks-expiry', s.chunksDays, { Tag: { Key: CHUNKS_RETENTION_TAG.key, Value: CHUNKS_RETENTION_TAG.value } }),
    ],
    audit: [],
  };
}

export async function ensureBuckets(s: Settings, secrets: Secrets): Promise<void> {
  const s3 = adminS3(s, secrets);
  const rules = lifecycleRules(s);
  try {
    for (const [kind, bucket] of [['raw', s.bucketRaw], ['parsed', s.bucketParsed], ['audit', s.bucketAudit]] as const) {
      let exists = true;
      try {
        await s3.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch {
        exists = false;
      }
      if (!exists) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: s.kmsKeyName } }],
        },
      }));
      const r = rules[kind];
      if (r.length > 0) {
        await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: r } }));
      }
      const life = r.map((x) => `${x.ID} ${x.Expiration?.Days}d`).join(', ') || 'no expiry';
      step(`minio: bucket ${bucket} ${exists ? 'kept' : 'created'} (default SSE-KMS; ${life})`);
    }
  } finally {
    s3.destroy();
  }
}
