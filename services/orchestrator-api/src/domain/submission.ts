/** Submission rules that do not depend on I/O: source references, fingerprints, cursors, object extensions. */
import { createHash } from 'node:crypto';
import { DphError } from '@dph/errors';
import { ERROR_CODES, type Classification, type DocumentType, type SourceType } from '@dph/contracts';

export interface SubmissionRequest {
  tenantScene: string;
  classification: Classification;
  businessRef: string;
  priority: number;
  sourceType: SourceType;
  /** presigned URL, s3:// ref, or for uploads the sha256 of the document. */
  sourceRef: string;
  callback: { url: string; eventFilter: string[] } | undefined;
}

/**
 * Canonical request fingerprint for idempotency (SHA-256 hex). Same key + same fingerprint = replay; same key +
 * other fingerprint = 409. Uploads are fingerprinted by the document digest, not the file name.
 */
export function fingerprint(r: SubmissionRequest): string {
  const canonical = JSON.stringify([
    'v1', r.tenantScene, r.classification, r.businessRef, r.priority, r.sourceType, r.sourceRef,
    r.callback ? [r.callback.url, [...r.callback.eventFilter].sort()] : null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export interface OssRef {
  bucket: string;
  key: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://bucket/key` limited to the configured buckets; anything else is 422 source_ref_not_allowed. */
export function parseOssRef(ref: string, allowedBuckets: readonly string[]): OssRef {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(ref);
  const notAllowed = (why: string) =>
    new DphError(ERROR_CODES.sourceRefNotAllowed, `inner_oss_ref ${why}`, { status: 422 });
  if (!m) throw notAllowed('must be s3://bucket/key');
  const [, bucket, key] = m as unknown as [string, string, string];
  if (!BUCKET.test(bucket) || !allowedBuckets.includes(bucket)) throw notAllowed('names a bucket that is not allowed');
  if (key.length > 1024 || key.split('/').some((seg) => seg === '..' || seg === '.') || [...key].some((ch) => ch.charCodeAt(0) < 0x20)) {
    throw notAllowed('has an invalid key');
  }
  return { bucket, key };
}

/** A presigned URL is stored without its query string: the signature is a credential. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '';
  }
}

const EXT: Record<string, string> = {
  'pdf-native': 'pdf', 'pdf-scan': 'pdf', docx: 'docx', xlsx: 'xlsx', pptx: 'pptx', html: 'html', md: 'md',
  txt: 'txt', csv: 'csv', json: 'json', email: 'eml',
};
export function extensionFor(type: DocumentType | undefined): string {
  return type ? (EXT[type] ?? 'bin') : 'bin';
}

/** Keyset position of a job list: creation time in epoch microseconds (as Postgres stores it) and job id. */
export interface Cursor {
  createdUs: string;
  id: string;
}
const CURSOR = /^([0-9]{1,17})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
export const encodeCursor = (c: Cursor): string => `${c.createdUs}_${c.id}`;
/** The OpenAPI pattern admits exactly what this accepts, so a well-formed cursor never fails here. */
export function decodeCursor(s: string | undefined): Cursor | undefined {
  if (!s) return undefined;
  const m = CURSOR.exec(s);
  if (!m) throw new DphError(ERROR_CODES.validationFailed, 'cursor is not one this API issued', { status: 400 });
  return { createdUs: m[1]!, id: m[2]! };
}

const MIN_TIME = Date.UTC(1, 0, 1);
/**
 * A date-time query value as UTC ISO text Postgres accepts: RFC 3339 allows offsets (+17:36) and years (0000)
 * that Postgres refuses, so values are normalised here and clamped to year 1.
 */
export function normaliseTime(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new DphError(ERROR_CODES.validationFailed, 'not a date-time', { status: 400 });
  return new Date(Math.max(t, MIN_TIME)).toISOString();
}

export const MAX_PAGE = 100;
export const clampLimit = (n: unknown, dflt = 20): number =>
  Math.min(MAX_PAGE, Math.max(1, typeof n === 'number' && Number.isFinite(n) ? Math.floor(n) : dflt));
