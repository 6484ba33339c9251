// Integration tests against the local stack's MinIO (HTTPS, SSE-KMS): no fakes, since the point is what a real
// S3 server does with encryption, aborted uploads and presigned URLs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { get as httpsGet } from 'node:https';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { requireStack, s3ConnectionOptions, stackEnv } from '@dph/testkit';
import { CHUNKS_RETENTION_TAG, S3ObjectStore, createS3Client, storageConfigFromEnv } from './index.js';

let client: S3Client;
let store: S3ObjectStore;
let bucket: string;
const prefix = `test/storage-${randomUUID()}/`;

before(() => {
  requireStack();
  const o = s3ConnectionOptions();
  client = createS3Client(o);
  store = new S3ObjectStore({ client, kmsKeyId: o.kmsKeyId, partSize: 5 * 1024 * 1024 });
  bucket = o.buckets.parsed;
});

after(async () => {
  for (const o of await store.list(bucket, prefix)) await store.delete(bucket, o.key);
  client.destroy();
});

function fetchHttps(url: string, ca: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
    }).on('error', reject);
  });
}

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

test('config from the stack env builds a working store', async () => {
  const cfg = storageConfigFromEnv(stackEnv());
  assert.equal(cfg.connection.forcePathStyle, true);
  assert.ok(cfg.connection.endpoint?.startsWith('https://'));
  const c = createS3Client(cfg.connection);
  try {
    const s = new S3ObjectStore({ client: c, kmsKeyId: cfg.kmsKeyId });
    assert.ok(Array.isArray(await s.list(cfg.buckets.raw, 'no-such-prefix/')));
  } finally {
    c.destroy();
  }
});

test('put asks for SSE-KMS; head and get report aws:kms and return the bytes', async () => {
  const key = `${prefix}kms.txt`;
  const put = await store.put(bucket, key, 'hello kms', { contentType: 'text/plain' });
  assert.equal(put.size, 9);
  const meta = await store.head(bucket, key);
  assert.equal(meta.serverSideEncryption, 'aws:kms');
  assert.equal(meta.contentType, 'text/plain');
  const { body, meta: m2 } = await store.get(bucket, key);
  assert.equal((await readAll(body)).toString(), 'hello kms');
  assert.equal(m2.contentLength, 9);
});

test('an object written without SSE headers is still KMS-encrypted by the bucket default', async () => {
  const key = `${prefix}raw-sdk-no-sse.bin`;
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'no sse header' }));
  const h = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  assert.equal(h.ServerSideEncryption, 'aws:kms');
  assert.equal((await store.head(bucket, key)).serverSideEncryption, 'aws:kms');
});

test('reading an object that is not KMS-encrypted is refused (object_not_kms_encrypted)', async () => {
  const plain = `dph-test-plain-${randomBytes(4).toString('hex')}`;
  await client.send(new CreateBucketCommand({ Bucket: plain }));
  try {
    await client.send(new PutObjectCommand({ Bucket: plain, Key: 'x.txt', Body: 'not encrypted' }));
    const h = await client.send(new HeadObjectCommand({ Bucket: plain, Key: 'x.txt' }));
    assert.notEqual(h.ServerSideEncryption, 'aws:kms');
    await assert.rejects(store.head(plain, 'x.txt'), { code: 'object_not_kms_encrypted' });
    await assert.rejects(store.get(plain, 'x.txt'), { code: 'object_not_kms_encrypted' });
    // Our own writes are encrypted even where the bucket has no default.
    await store.put(plain, 'y.txt', 'encrypted on request');
    assert.equal((await store.head(plain, 'y.txt')).serverSideEncryption, 'aws:kms');
  } finally {
    for (const k of ['x.txt', 'y.txt']) await client.send(new DeleteObjectCommand({ Bucket: plain, Key: k }));
    await client.send(new DeleteBucketCommand({ Bucket: plain }));
  }
});

test('a streamed upload over its byte limit fails and leaves no object and no open multipart upload', async () => {
  for (const [size, limit] of [[4096, 1000], [12 * 1024 * 1024, 6 * 1024 * 1024]] as const) {
    const key = `${prefix}too-big-${size}.bin`;
    const chunk = randomBytes(64 * 1024);
    let sent = 0;
    const src = new Readable({
      read() {
        if (sent >= size) return this.push(null);
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        this.push(chunk.subarray(0, n));
      },
    });
    await assert.rejects(store.put(bucket, key, src, { maxBytes: limit }), { code: 'payload_too_large' });
    await assert.rejects(client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 404);
    const mpu = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
    assert.equal((mpu.Uploads ?? []).length, 0, 'no multipart upload left behind');
  }
  await assert.rejects(store.put(bucket, `${prefix}buf.bin`, Buffer.alloc(11), { maxBytes: 10 }), { code: 'payload_too_large' });
});

test('a streamed upload within its limit is stored whole (multipart path)', async () => {
  const key = `${prefix}big-ok.bin`;
  const data = randomBytes(11 * 1024 * 1024);
  const r = await store.put(bucket, key, Readable.from([data.subarray(0, 5_000_000), data.subarray(5_000_000)]), { maxBytes: data.length });
  assert.equal(r.size, data.length);
  const { body, meta } = await store.get(bucket, key);
  assert.equal(meta.serverSideEncryption, 'aws:kms');
  assert.ok((await readAll(body)).equals(data));
});

test('tags reach the object (the chunks lifecycle rule keys on CHUNKS_RETENTION_TAG)', async () => {
  const key = `${prefix}scene/2026/12/03/job/chunks.json`;
  await store.put(bucket, key, '[]', { contentType: 'application/json', tags: { [CHUNKS_RETENTION_TAG.key]: CHUNKS_RETENTION_TAG.value } });
  const t = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
  assert.deepEqual(t.TagSet, [{ Key: CHUNKS_RETENTION_TAG.key, Value: CHUNKS_RETENTION_TAG.value }]);
});

test('presigned GET works over HTTPS, defaults to 300 s, and stops working once expired', async () => {
  const key = `${prefix}presigned.txt`;
  await store.put(bucket, key, 'signed body', { contentType: 'text/plain' });
  const url = await store.presignGet(bucket, key);
  const u = new URL(url);
  assert.equal(u.protocol, 'https:');
  assert.equal(u.searchParams.get('X-Amz-Expires'), '300');
  const ca = s3ConnectionOptions().ca;
  const ok = await fetchHttps(url, ca);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.toString(), 'signed body');
  const short = await store.presignGet(bucket, key, 1);
  await new Promise((r) => setTimeout(r, 2100));
  assert.equal((await fetchHttps(short, ca)).status, 403);
  const tampered = new URL(url);
  tampered.searchParams.set('X-Amz-Expires', '3000');
  assert.equal((await fetchHttps(tampered.toString(), ca)).status, 403);
});

test('missing objects map to not_found; an http:// endpoint is refused outright', async () => {
  await assert.rejects(store.head(bucket, `${prefix}nope`), { code: 'not_found' });
  await assert.rejects(store.get(bucket, `${prefix}nope`), { code: 'not_found' });
  assert.throws(() => createS3Client({ ...s3ConnectionOptions(), endpoint: 'http://127.0.0.1:59000' }), /https/);
});
