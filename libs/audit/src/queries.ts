/**
 * Read side of the audit trail, for the API routes (GET /v1/jobs/{id}/audit, GET /v1/audit) and exports. Run
 * them on a client inside withTransaction(pool, fn, { scene }): row-level security then limits every query to
 * that scene, and the route's own checks (submitter, operator, auditor) come on top.
 *
 * Pagination is keyset on (created_at, id), which the (job_id, created_at), (event_type, created_at) and
 * (actor, created_at) indexes serve; the cursor is opaque to clients.
 */
import { DphError } from '@dph/errors';
import { ERROR_CODES } from '@dph/contracts';
import type { Queryable } from '@dph/db';

export interface AuditEventView {
  id: string;
  eventId: string;
  jobId: string | null;
  tenantScene: string | null;
  eventType: string;
  actor: string;
  payload: Record<string, unknown>;
  traceId: string | null;
  /** ISO 8601 with microseconds, UTC. */
  createdAt: string;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

export interface AuditFilter {
  jobId?: string;
  eventType?: string;
  actor?: string;
  /** Inclusive lower bound on created_at. */
  since?: Date;
  /** Exclusive upper bound on created_at. */
  until?: Date;
  /** Narrows within what row-level security already allows (the scene set on the transaction). */
  scene?: string;
}

export interface AuditPage {
  items: AuditEventView[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export const MAX_AUDIT_PAGE = 1000;

const SELECT = `SELECT id::text AS id, event_id::text AS event_id, job_id::text AS job_id, tenant_scene, event_type,
  actor, payload, trace_id,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded_at,
  prev_hash, hash
  FROM public.audit_events`;

interface Row {
  id: string;
  event_id: string;
  job_id: string | null;
  tenant_scene: string | null;
  event_type: string;
  actor: string;
  payload: Record<string, unknown>;
  trace_id: string | null;
  created_at: string;
  recorded_at: string;
  prev_hash: string;
  hash: string;
}

const view = (r: Row): AuditEventView => ({
  id: r.id,
  eventId: r.event_id,
  jobId: r.job_id,
  tenantScene: r.tenant_scene,
  eventType: r.event_type,
  actor: r.actor,
  payload: r.payload,
  traceId: r.trace_id,
  createdAt: r.created_at,
  recordedAt: r.recorded_at,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export function encodeAuditCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

export function decodeAuditCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && !Number.isNaN(Date.parse(v[0])) && typeof v[1] === 'string' && /^\d{1,19}$/.test(v[1])) {
      return { createdAt: v[0], id: v[1] };
    }
  } catch {
    /* fall through */
  }
  throw new DphError(ERROR_CODES.validationFailed, 'invalid cursor', { status: 400 });
}

/** WHERE clause and parameters for a filter (values always bound, never interpolated). */
export function auditWhere(f: AuditFilter, cursor?: { createdAt: string; id: string }): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    clauses.push(clause.replace('?', `$${params.length}`));
  };
  if (f.jobId !== undefined) add('job_id = ?::uuid', f.jobId);
  if (f.eventType !== undefined) add('event_type = ?', f.eventType);
  if (f.actor !== undefined) add('actor = ?', f.actor);
  if (f.since !== undefined) add('created_at >= ?::timestamptz', f.since.toISOString());
  if (f.until !== undefined) add('created_at < ?::timestamptz', f.until.toISOString());
  if (f.scene !== undefined) add('tenant_scene = ?', f.scene);
  if (cursor) {
    params.push(cursor.createdAt, cursor.id);
    clauses.push(`(created_at, id) > ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** One page of events matching the filter, oldest first. */
export async function queryAuditEvents(
  q: Queryable,
  filter: AuditFilter,
  page: { limit?: number; cursor?: string } = {},
): Promise<AuditPage> {
  const limit = Math.min(Math.max(page.limit ?? 100, 1), MAX_AUDIT_PAGE);
  const where = auditWhere(filter, page.cursor ? decodeAuditCursor(page.cursor) : undefined);
  const { rows } = await q.query<Row>(
    `${SELECT} ${where.sql} ORDER BY created_at, id LIMIT $${where.params.length + 1}`,
    [...where.params, limit + 1],
  );
  const items = rows.slice(0, limit).map(view);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeAuditCursor(last.createdAt, last.id) : null };
}

/** GET /v1/jobs/{jobId}/audit: the seed's "all events for a job", paginated. */
export function queryJobAudit(q: Queryable, jobId: string, page: { limit?: number; cursor?: string } = {}): Promise<AuditPage> {
  return queryAuditEvents(q, { jobId }, page);
}

/** Every matching row in (created_at, id) order, in pages: for exports, without holding the result in memory. */
export async function* iterateAuditEvents(q: Queryable, filter: AuditFilter, pageSize = 1000): AsyncGenerator<AuditEventView> {
  let cursor: string | undefined;
  do {
    const page = await queryAuditEvents(q, filter, { limit: Math.min(pageSize, MAX_AUDIT_PAGE), ...(cursor ? { cursor } : {}) });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
