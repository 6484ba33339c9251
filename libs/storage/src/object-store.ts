import { Readable, Transform, type TransformCallback } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ERROR_CODES } from '@dph/contracts';
import { DphError, isDphError } from '@dph/errors';

export type ObjectBody = Buffer | Uint8Array | string | Readable;

export interface PutOptions {
  contentType?: string;
  /** Upper bound on the body; a larger body aborts the upload and leaves no object (payload_too_large). */
  maxBytes?: number;
  /** Object tags, e.g. CHUNKS_RETENTION_TAG so the shorter lifecycle rule applies. */
  tags?: Record<string, string>;
  metadata?: Record<string, string>;
}

export interface PutResult {
  bucket: string;
  key: string;
  size: number;
  etag: string | undefined;
}

export interface ObjectMeta {
  contentType: string | undefined;
  contentLength: number | undefined;
  etag: string | undefined;
  lastModified: Date | undefined;
  serverSideEncryption: 'aws:kms';
  kmsKeyId: string | undefined;
  metadata: Record<string, string>;
}

export interface ObjectSummary {
  key: string;
  size: number;
  lastModified: Date | undefined;
  etag: string | undefined;
}

/** The narrow object-storage interface domain code receives; it never sees the S3 SDK. */
export interface ObjectStore {
  put(bucket: string, key: string, body: ObjectBody, opts?: PutOptions): Promise<PutResult>;
  get(bucket: string, key: string): Promise<{ body: Readable; meta: ObjectMeta }>;
  head(bucket: string, key: string): Promise<ObjectMeta>;
  delete(bucket: string, key: string): Promise<void>;
  list(bucket: string, prefix: string, opts?: { limit?: number }): Promise<ObjectSummary[]>;
  /** Presigned HTTPS GET; result URLs handed to clients expire after 5 minutes by default. */
  presignGet(bucket: string, key: string, ttlSeconds?: number): Promise<string>;
}

export interface S3ObjectStoreOptions {
  client: S3Client;
  kmsKeyId: string;
  /** Multipart part size for streamed uploads (S3 minimum 5 MiB). */
  partSize?: number;
}

/** Counts bytes through a stream and fails it once the limit is passed, before the excess reaches S3. */
class ByteLimit extends Transform {
  bytes = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) cb(tooLarge(this.limit));
    else cb(null, chunk);
  }
}

const tooLarge = (limit: number) =>
  new DphError(ERROR_CODES.payloadTooLarge, `object larger than the ${limit}-byte limit`, { status: 413, details: { limitBytes: limit } });

export const notEncrypted = (bucket: string) =>
  new DphError(ERROR_CODES.notEncrypted, 'object is not SSE-KMS encrypted; refusing to read it', { status: 500, retryable: false, details: { bucket } });

interface S3LikeError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Maps SDK errors to stable codes without copying their messages (they can carry hosts and keys). */
function mapError(err: unknown, bucket: string): DphError {
  if (isDphError(err)) return err;
  const e = err as S3LikeError;
  const status = e?.$metadata?.httpStatusCode;
  if (e?.name === 'NoSuchKey' || e?.name === 'NotFound' || status === 404) {
    return new DphError(ERROR_CODES.notFound, 'object not found', { status: 404, details: { bucket }, cause: err });
  }
  if (e?.name === 'NoSuchBucket') return new DphError(ERROR_CODES.notFound, 'bucket not found', { status: 404, details: { bucket }, cause: err });
  const retryable = status === undefined || status >= 500 || status === 429;
  return new DphError(ERROR_CODES.serviceUnavailable, `object storage request failed${e?.name ? ` (${e.name})` : ''}`, {
    status: 503,
    retryable,
    details: { bucket },
    cause: err,
  });
}

function toTagging(tags: Record<string, string> | undefined): string | undefined {
  if (!tags || Object.keys(tags).length === 0) return undefined;
  return new URLSearchParams(tags).toString();
}

function byteLength(body: Exclude<ObjectBody, Readable>): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}

export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly kmsKeyId: string;
  private readonly partSize: number;

  constructor(o: S3ObjectStoreOptions) {
    this.client = o.client;
    this.kmsKeyId = o.kmsKeyId;
    this.partSize = o.partSize ?? 8 * 1024 * 1024;
  }

  async put(bucket: string, key: string, body: ObjectBody, opts: PutOptions = {}): Promise<PutResult> {
    let source: Readable | Buffer | Uint8Array | string = body;
    let counter: ByteLimit | undefined;
    if (body instanceof Readable) {
      if (opts.maxBytes !== undefined) {
        counter = new ByteLimit(opts.maxBytes);
        body.once('error', (e) => counter!.destroy(e));
        source = body.pipe(counter);
      }
    } else if (opts.maxBytes !== undefined && byteLength(body) > opts.maxBytes) {
      throw tooLarge(opts.maxBytes);
    }
    const params: PutObjectCommandInput = {
      Bucket: bucket,
      Key: key,
      Body: source,
      ContentType: opts.contentType,
      // Every write asks for SSE-KMS explicitly, whatever the bucket default says.
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: this.kmsKeyId,
      Tagging: toTagging(opts.tags),
      Metadata: opts.metadata,
    };
    // A body already in memory that fits one part is one PutObject: atomic by itself (S3 shows the whole object
    // or none), without lib-storage's chunking and multipart bookkeeping on every small write.
    if (!(body instanceof Readable)) {
      const size = byteLength(body);
      if (size <= this.partSize) {
        try {
          const out = await this.client.send(new PutObjectCommand({ ...params, ContentLength: size }));
          return { bucket, key, size, etag: out.ETag };
        } catch (err) {
          throw mapError(err, bucket);
        }
      }
    }
    // lib-storage: multipart for streams and large bodies, and on any failure (our byte limit included) it
    // aborts the multipart upload, so no partial object is ever visible.
    const upload = new Upload({
      client: this.client,
      params,
      partSize: this.partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      const out = await upload.done();
      const size = counter ? counter.bytes : body instanceof Readable ? -1 : byteLength(body);
      return { bucket, key, size, etag: out.ETag };
    } catch (err) {
      if (counter && counter.bytes > (opts.maxBytes ?? Infinity)) throw tooLarge(opts.maxBytes!);
      throw mapError(err, bucket);
    } finally {
      if (body instanceof Readable && !body.destroyed && counter?.destroyed) body.destroy();
    }
  }

  async head(bucket: string, key: string): Promise<ObjectMeta> {
    let r;
    try {
      r = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      throw mapError(err, bucket);
    }
    if (r.ServerSideEncryption !== 'aws:kms') throw notEncrypted(bucket);
    return {
      contentType: r.ContentType,
      contentLength: r.ContentLength,
      etag: r.ETag,
      lastModified: r.LastModified,
      serverSideEncryption: 'aws:kms',
      kmsKeyId: r.SSEKMSKeyId,
      metadata: r.Metadata ?? {},
    };
  }

  async get(bucket: string, key: string): Promise<{ body: Readable; meta: ObjectMeta }> {
    let r;
    try {
      r = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      throw mapError(err, bucket);
    }
    const body = r.Body as Readable | undefined;
    if (r.ServerSideEncryption !== 'aws:kms') {
      body?.destroy();
      throw notEncrypted(bucket);
    }
    if (!body) throw new DphError(ERROR_CODES.serviceUnavailable, 'object storage returned no body', { status: 503, retryable: true });
    return {
      body,
      meta: {
        contentType: r.ContentType,
        contentLength: r.ContentLength,
        etag: r.ETag,
        lastModified: r.LastModified,
        serverSideEncryption: 'aws:kms',
        kmsKeyId: r.SSEKMSKeyId,
        metadata: r.Metadata ?? {},
      },
    };
  }

  async delete(bucket: string, key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      throw mapError(err, bucket);
    }
  }

  async list(bucket: string, prefix: string, opts: { limit?: number } = {}): Promise<ObjectSummary[]> {
    const limit = opts.limit ?? 10_000;
    const out: ObjectSummary[] = [];
    let token: string | undefined;
    try {
      do {
        const r = await this.client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: Math.min(1000, limit - out.length) }),
        );
        for (const o of r.Contents ?? []) {
          if (o.Key !== undefined) out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified, etag: o.ETag });
        }
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token && out.length < limit);
    } catch (err) {
      throw mapError(err, bucket);
    }
    return out;
  }

  async presignGet(bucket: string, key: string, ttlSeconds = 300): Promise<string> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 604_800) {
      throw new DphError(ERROR_CODES.validationFailed, 'presign ttl must be 1..604800 seconds', { status: 400 });
    }
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: ttlSeconds });
  }
}
