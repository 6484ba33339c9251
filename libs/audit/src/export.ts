/**
 * Audit exports: matching rows written as NDJSON or CSV (optionally gzip) to the audit archive bucket through a
 * narrow object sink (the product's ObjectStore fits it; every write there is SSE-KMS), with a manifest object
 * beside the data: row count, first and last id and hash, and the SHA-256 of the data object, so the export
 * can be checked against the live chain (verifyExportManifest) long after it was written.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { format as csvFormat } from '@fast-csv/format';
import type { Queryable } from '@dph/db';
import { iterateAuditEvents, type AuditEventView, type AuditFilter } from './queries.js';

export interface AuditObjectSink {
  put(
    bucket: string,
    key: string,
    body: Readable | Buffer | string,
    opts?: { contentType?: string; metadata?: Record<string, string> },
  ): Promise<{ size: number }>;
}

export type ExportFormat = 'ndjson' | 'csv';

export interface AuditExportManifest {
  version: 1;
  format: ExportFormat;
  gzip: boolean;
  bucket: string;
  key: string;
  filter: Record<string, string>;
  rowCount: number;
  firstId: string | null;
  lastId: string | null;
  /** prev_hash of the first row: links the export to the chain before it. */
  firstPrevHash: string | null;
  firstHash: string | null;
  lastHash: string | null;
  /** SHA-256 hex of the data object's bytes as stored. */
  sha256: string;
  bytes: number;
  createdAt: string;
}

const CSV_COLUMNS = [
  'id', 'eventId', 'jobId', 'tenantScene', 'eventType', 'actor', 'payload', 'traceId', 'createdAt', 'recordedAt', 'prevHash', 'hash',
] as const;

/** Counts and hashes the bytes on their way to the sink. */
class Digest extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

function filterRecord(f: AuditFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (v !== undefined) out[k] = v instanceof Date ? v.toISOString() : String(v);
  return out;
}

export interface ExportOptions {
  bucket: string;
  key: string;
  format: ExportFormat;
  gzip?: boolean;
  pageSize?: number;
}

/**
 * Streams the rows matching `filter` to `bucket/key` and writes `<key>.manifest.json` beside it. Run inside a
 * REPEATABLE READ transaction (withTransaction({ scene, isolation: 'repeatable read' })) so that data and
 * manifest describe one snapshot. Returns the manifest.
 */
export function exportAuditEvents(
  q: Queryable,
  sink: AuditObjectSink,
  filter: AuditFilter,
  opts: ExportOptions,
): Promise<AuditExportManifest> {
  return writeAuditExport(iterateAuditEvents(q, filter, opts.pageSize), sink, filterRecord(filter), opts);
}

/** Writes any row sequence as an export object plus its manifest (shared by exports and the cold archive). */
export async function writeAuditExport(
  source: AsyncIterable<AuditEventView>,
  sink: AuditObjectSink,
  filter: Record<string, string>,
  opts: Omit<ExportOptions, 'pageSize'>,
): Promise<AuditExportManifest> {
  let rowCount = 0;
  let first: AuditEventView | undefined;
  let last: AuditEventView | undefined;
  const rows = Readable.from(
    (async function* () {
      for await (const r of source) {
        rowCount++;
        first ??= r;
        last = r;
        yield r;
      }
    })(),
  );
  const encoder =
    opts.format === 'csv'
      ? csvFormat<AuditEventView, Record<string, string>>({ headers: [...CSV_COLUMNS], writeBOM: false }).transform((r: AuditEventView) => ({
          ...Object.fromEntries(CSV_COLUMNS.map((c) => [c, r[c] === null ? '' : String(r[c])])),
          payload: JSON.stringify(r.payload),
        }))
      : new Transform({
          writableObjectMode: true,
          transform(r: AuditEventView, _e, cb) {
            cb(null, `${JSON.stringify(r)}\n`);
          },
        });
  const digest = new Digest();
  const out = new PassThrough();
  const contentType = opts.format === 'csv' ? 'text/csv' : 'application/x-ndjson';
  const upload = sink.put(opts.bucket, opts.key, out, {
    contentType: opts.gzip ? 'application/gzip' : contentType,
    metadata: { 'dph-audit-format': opts.format },
  });
  const written = opts.gzip ? pipeline(rows, encoder, createGzip(), digest, out) : pipeline(rows, encoder, digest, out);
  await Promise.all([written, upload]);
  const manifest: AuditExportManifest = {
    version: 1,
    format: opts.format,
    gzip: opts.gzip ?? false,
    bucket: opts.bucket,
    key: opts.key,
    filter,
    rowCount,
    firstId: first?.id ?? null,
    lastId: last?.id ?? null,
    firstPrevHash: first?.prevHash ?? null,
    firstHash: first?.hash ?? null,
    lastHash: last?.hash ?? null,
    sha256: digest.hash.digest('hex'),
    bytes: digest.bytes,
    createdAt: new Date().toISOString(),
  };
  await sink.put(opts.bucket, `${opts.key}.manifest.json`, Buffer.from(JSON.stringify(manifest, null, 2)), {
    contentType: 'application/json',
  });
  return manifest;
}

/** Checks a manifest's first and last links against the live table: the exported range was not rewritten. */
export async function verifyExportManifest(q: Queryable, m: AuditExportManifest): Promise<boolean> {
  if (m.rowCount === 0) return true;
  const { rows } = await q.query<{ id: string; hash: string }>(
    'SELECT id::text AS id, hash FROM public.audit_events WHERE id = ANY($1::bigint[])',
    [[m.firstId, m.lastId]],
  );
  const byId = new Map(rows.map((r) => [r.id, r.hash]));
  return byId.get(m.firstId!) === m.firstHash && byId.get(m.lastId!) === m.lastHash;
}
