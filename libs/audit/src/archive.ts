/**
 * Cold storage: rows that joined the chain more than `olderThanMs` ago are written, in chain (id) order, as gzip
 * NDJSON to the audit bucket with a manifest, one object per run and id range, and the range is recorded in
 * audit_archives. Rows stay in the table: archiving never deletes. The archive run records itself as an
 * `audit_exported` row. Safe with several writer replicas: a transaction-scoped advisory lock admits one run.
 */
import { withTransaction, type Pool, type Queryable } from '@dph/db';
import { writeAuditExport, type AuditExportManifest, type AuditObjectSink } from './export.js';
import { insertAuditRows } from './insert.js';
import type { AuditEventView } from './queries.js';
import { randomUUID } from 'node:crypto';

export interface ArchiveOptions {
  bucket: string;
  /** Object key prefix, e.g. 'archive'. */
  prefix: string;
  olderThanMs: number;
  /** Upper bound of rows per run (one object). */
  maxRows?: number;
  /** Actor of the audit_exported row, e.g. system:audit-writer@<instance>. */
  actor: string;
}

const ARCHIVE_LOCK: [number, number] = [1685088353, 2];

async function* rangeRows(q: Queryable, fromId: string, toId: string, pageSize = 1000): AsyncGenerator<AuditEventView> {
  let after = fromId;
  for (;;) {
    const { rows } = await q.query<{
      id: string; event_id: string; job_id: string | null; tenant_scene: string | null; event_type: string; actor: string;
      payload: Record<string, unknown>; trace_id: string | null; created_at: string; recorded_at: string; prev_hash: string; hash: string;
    }>(
      `SELECT a.id::text AS id, event_id::text AS event_id, job_id::text AS job_id, tenant_scene, event_type, actor, payload, trace_id,
              to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
              to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded_at, prev_hash, hash
         FROM public.audit_events a WHERE a.id > $1 AND a.id <= $2 ORDER BY a.id LIMIT $3`,
      [after, toId, pageSize],
    );
    for (const r of rows) {
      yield {
        id: r.id, eventId: r.event_id, jobId: r.job_id, tenantScene: r.tenant_scene, eventType: r.event_type, actor: r.actor,
        payload: r.payload, traceId: r.trace_id, createdAt: r.created_at, recordedAt: r.recorded_at, prevHash: r.prev_hash, hash: r.hash,
      };
    }
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** One archive run. Returns the manifest, or null when nothing is old enough or another replica is archiving. */
export async function archiveAuditEvents(pool: Pool, sink: AuditObjectSink, opts: ArchiveOptions): Promise<AuditExportManifest | null> {
  return withTransaction(pool, async (c) => {
    const got = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', ARCHIVE_LOCK);
    if (!got.rows[0]?.ok) return null;
    const range = await c.query<{ from_id: string; to_id: string | null }>(
      `SELECT coalesce((SELECT max(last_id) FROM public.audit_archives), 0)::text AS from_id,
              (SELECT max(id) FROM public.audit_events
                WHERE recorded_at < now() - make_interval(secs => $1)
                  AND id <= coalesce((SELECT max(last_id) FROM public.audit_archives), 0) + $2)::text AS to_id`,
      [opts.olderThanMs / 1000, opts.maxRows ?? 100_000],
    );
    const { from_id: fromId, to_id: toId } = range.rows[0]!;
    if (toId === null || BigInt(toId) <= BigInt(fromId)) return null;
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    const key = `${opts.prefix}/${day}/audit-${fromId.padStart(12, '0')}-${toId.padStart(12, '0')}.ndjson.gz`;
    const manifest = await writeAuditExport(rangeRows(c, fromId, toId), sink, { afterId: fromId, throughId: toId }, {
      bucket: opts.bucket, key, format: 'ndjson', gzip: true,
    });
    await c.query(
      `INSERT INTO public.audit_archives (first_id, last_id, row_count, first_prev_hash, last_hash, bucket, object_key, sha256, bytes, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [manifest.firstId, manifest.lastId, manifest.rowCount, manifest.firstPrevHash, manifest.lastHash, opts.bucket, key,
        manifest.sha256, manifest.bytes, opts.actor],
    );
    return manifest;
  }).then(async (m) => {
    // Recorded after the archive transaction so the row itself falls in a later range.
    if (m) {
      await withTransaction(pool, (c) =>
        insertAuditRows(c, [{
          eventId: randomUUID(), jobId: null, tenantScene: null, eventType: 'audit_exported', actor: opts.actor,
          payload: { kind: 'cold_archive', format: 'ndjson_gzip', row_count: m.rowCount, first_id: m.firstId, last_id: m.lastId, object_key: m.key },
          traceId: null, occurredAt: new Date(),
        }]),
      );
    }
    return m;
  });
}
