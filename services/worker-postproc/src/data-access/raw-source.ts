import type { Readable } from 'node:stream';
import { ERROR_CODES } from '@dph/contracts';
import { DphError, isDphError } from '@dph/errors';
import type { ObjectStore } from '@dph/storage';
import type { RawSource } from '../domain/ports.js';

export interface RawLimits {
  maxBytes: number;
  timeoutMs: number;
}

const fetchFailed = (retryable: boolean, cause?: unknown) =>
  new DphError(ERROR_CODES.sourceFetchFailed, 'raw document could not be fetched', { status: 502, retryable, cause });
const tooLarge = (limit: number) =>
  new DphError(ERROR_CODES.sourceTooLarge, `raw document is larger than ${limit} bytes`, { status: 413, retryable: false, details: { limitBytes: limit } });

/**
 * Reads raw documents from object storage: the store refuses objects that are not SSE-KMS encrypted
 * (object_not_kms_encrypted, permanent); a missing object is source_fetch_failed (permanent), a storage outage
 * the same code but retryable. Size is checked from the object's length first and again while streaming.
 */
export function rawSource(store: ObjectStore, limits: RawLimits): RawSource {
  return {
    async fetch(bucket, key) {
      let got: { body: Readable; meta: { contentLength: number | undefined } };
      try {
        got = await store.get(bucket, key);
      } catch (err) {
        if (isDphError(err) && err.code === ERROR_CODES.notEncrypted) throw err;
        if (isDphError(err) && err.code === ERROR_CODES.notFound) throw fetchFailed(false, err);
        throw fetchFailed(isDphError(err) ? err.retryable : true, err);
      }
      const { body, meta } = got;
      if (meta.contentLength !== undefined && meta.contentLength > limits.maxBytes) {
        body.destroy();
        throw tooLarge(limits.maxBytes);
      }
      return readBounded(body, limits);
    },
  };
}

function readBounded(body: Readable, limits: RawLimits): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      body.destroy();
      reject(fetchFailed(true, new Error('timeout')));
    }, limits.timeoutMs);
    body.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limits.maxBytes) {
        clearTimeout(timer);
        body.destroy();
        reject(tooLarge(limits.maxBytes));
        return;
      }
      parts.push(c);
    });
    body.on('error', (e) => {
      clearTimeout(timer);
      reject(fetchFailed(true, e));
    });
    body.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(parts, size));
    });
  });
}
