// Bucket settings the stack applies: default SSE-KMS and lifecycle rules (issue 2, DESIGN §4).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GetBucketEncryptionCommand, GetBucketLifecycleConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import { CHUNKS_RETENTION_TAG, createS3Client } from '@dph/storage';
import { requireStack, s3ConnectionOptions } from '@dph/testkit';

let s3: S3Client;
before(() => {
  requireStack();
  s3 = createS3Client(s3ConnectionOptions());
});
after(() => s3.destroy());

test('every bucket has default encryption SSE-KMS with the stack key', async () => {
  const o = s3ConnectionOptions();
  for (const b of Object.values(o.buckets)) {
    const e = await s3.send(new GetBucketEncryptionCommand({ Bucket: b }));
    const d = e.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
    assert.equal(d?.SSEAlgorithm, 'aws:kms', b);
    assert.match(d?.KMSMasterKeyID ?? '', new RegExp(o.kmsKeyId));
  }
});

test('lifecycle: raw 90 days, parsed 30 days, chunks (tagged) 7 days, audit no expiry', async () => {
  const o = s3ConnectionOptions();
  const rules = async (b: string) => {
    try {
      return (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b }))).Rules ?? [];
    } catch (e) {
      if ((e as { name?: string }).name === 'NoSuchLifecycleConfiguration') return [];
      throw e;
    }
  };
  const raw = await rules(o.buckets.raw);
  assert.deepEqual(raw.map((r) => [r.Status, r.Expiration?.Days]), [['Enabled', 90]]);
  const parsed = await rules(o.buckets.parsed);
  const all = parsed.find((r) => r.ID === 'parsed-expiry');
  const chunks = parsed.find((r) => r.ID === 'chunks-expiry');
  assert.equal(all?.Expiration?.Days, 30);
  assert.equal(chunks?.Expiration?.Days, 7);
  const tag = chunks?.Filter?.Tag ?? chunks?.Filter?.And?.Tags?.[0];
  assert.deepEqual({ k: tag?.Key, v: tag?.Value }, { k: CHUNKS_RETENTION_TAG.key, v: CHUNKS_RETENTION_TAG.value });
  assert.equal((await rules(o.buckets.audit)).length, 0);
});
