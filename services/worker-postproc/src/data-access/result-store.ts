import { ERROR_CODES } from '@dph/contracts';
import { isDphError } from '@dph/errors';
import { CHUNKS_RETENTION_TAG, type ObjectStore } from '@dph/storage';
import type { ResultStore } from '../domain/ports.js';

/** result.md, result.json and chunks.json in the parsed bucket; the store asks for SSE-KMS on every write. */
export function resultStore(store: ObjectStore, bucket: string): ResultStore {
  return {
    bucket,
    async write(keys, bodies) {
      await Promise.all([
        store.put(bucket, keys.md, bodies.md, { contentType: 'text/markdown; charset=utf-8' }),
        store.put(bucket, keys.json, bodies.json, { contentType: 'application/json' }),
        // chunks.json has the shorter (7-day) lifecycle rule, matched by this tag.
        store.put(bucket, keys.chunks, bodies.chunks, { contentType: 'application/json', tags: { [CHUNKS_RETENTION_TAG.key]: CHUNKS_RETENTION_TAG.value } }),
      ]);
    },
    async remove(keys) {
      await Promise.all(
        [keys.md, keys.json, keys.chunks].map((k) =>
          store.delete(bucket, k).catch((err: unknown) => {
            if (!(isDphError(err) && err.code === ERROR_CODES.notFound)) throw err;
          }),
        ),
      );
    },
  };
}
