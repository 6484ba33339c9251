/**
 * S3 lifecycle filters cannot match a key suffix, so chunks.json (kept 7 days, shorter than the rest of the
 * parsed bucket) is recognised by this object tag instead. Writers of chunks objects pass it in `put(..., {tags})`.
 */
export const CHUNKS_RETENTION_TAG = Object.freeze({ key: 'dph-retention', value: 'chunks' });
