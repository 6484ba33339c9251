import type { Queryable } from '@dph/db';
import type { AuditRow } from './audit-row.js';

/**
 * Appends rows in one statement (unnest over parallel arrays: one round trip, one plan, whatever the batch
 * size). Rows whose event_id is already present are skipped, so redelivered events are written once. Returns
 * the number of rows actually written. Must run in READ COMMITTED (the chain trigger refuses anything else).
 */
export async function insertAuditRows(q: Queryable, rows: readonly AuditRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const r = await q.query(
    `INSERT INTO public.audit_events (event_id, job_id, tenant_scene, event_type, actor, payload, trace_id, created_at)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::timestamptz[])
     ON CONFLICT (event_id) DO NOTHING`,
    [
      rows.map((r) => r.eventId),
      rows.map((r) => r.jobId),
      rows.map((r) => r.tenantScene),
      rows.map((r) => r.eventType),
      rows.map((r) => r.actor),
      rows.map((r) => JSON.stringify(r.payload)),
      rows.map((r) => r.traceId),
      rows.map((r) => r.occurredAt.toISOString()),
    ],
  );
  return r.rowCount ?? 0;
}
