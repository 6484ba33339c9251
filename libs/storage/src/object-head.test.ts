import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { requireStack, stackEnv } from '@dph/testkit';
import { createObjectHead, objectStoreFromConfig, storageConfigFromEnv } from './index.js';

requireStack();
const storage = storageConfigFromEnv(stackEnv());
const objects = objectStoreFromConfig(storage);
const lean = createObjectHead(storage.connection);
after(() => {
  objects.close();
  lean.close();
});

test('the submission HEAD answers as ObjectStore.head: type and size, not_found, failures as service_unavailable', async () => {
  const bucket = storage.buckets.raw;
  // Keys are signed and sent segment-encoded: spaces, plus, parentheses, unicode and nested slashes.
  const key = `fixtures/head-${randomUUID()}/a b+(c)*'ü/doc.pdf`;
  await objects.store.put(bucket, key, Buffer.from('%PDF-1.4\n'), { contentType: 'application/pdf' });
  try {
    const sdk = await objects.store.head(bucket, key);
    assert.deepEqual(await lean.head(bucket, key), { contentType: sdk.contentType, contentLength: 9 });
    await assert.rejects(lean.head(bucket, `${key}.missing`), { code: 'not_found' });
    const wrong = createObjectHead({ ...storage.connection, secretAccessKey: 'not-the-secret' });
    await assert.rejects(wrong.head(bucket, key), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'service_unavailable');
      assert.doesNotMatch(e.message, /not-the-secret/);
      return true;
    });
    wrong.close();
  } finally {
    await objects.store.delete(bucket, key);
  }
});
