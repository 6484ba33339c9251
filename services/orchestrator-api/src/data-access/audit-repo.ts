/** Reads of the audit trail (dph_api has SELECT only; row-level security scopes each query to one scene). */
import { withTransaction, type Pool } from '@dph/db';

export interface AuditRow {
  id: string;
  event_id: string;
  event_type: string;
  job_id: string | null;
  tenant_scene: string | null;
  actor: string;
  payload: Record<string, unknown>;
  trace_id: string | null;
  created_at: Date;
  /** Epoch microseconds of created_at: the exact keyset position (JS dates stop at milliseconds). */
  created_us: string;
}

const CREATED_US = '(extract(epoch FROM created_at) * 1000000)::bigint';
const COLUMNS = `id::text, event_id::text, event_type, job_id::text, tenant_scene, actor, payload, trace_id, created_at, ${CREATED_US}::text AS created_us`;

export interface AuditFilter {
  scene: string;
  jobId?: string | undefined;
  eventType?: string | undefined;
  actor?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  /** Keyset position to continue after (cursor): event time in microseconds and chain id. */
  after?: { createdUs: string; id: string } | undefined;
  /** Oldest first (a job's trail) or newest first (queries). */
  order: 'asc' | 'desc';
  limit: number;
}

export async function queryAudit(pool: Pool, f: AuditFilter): Promise<AuditRow[]> {
  const where: string[] = [];
  const vals: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    vals.push(v);
    where.push(sql.replace('?', `$${vals.length}`));
  };
  if (f.jobId) add('job_id = ?', f.jobId);
  if (f.eventType) add('event_type = ?', f.eventType);
  if (f.actor) add('actor = ?', f.actor);
  if (f.since) add('created_at >= ?', f.since);
  if (f.until) add('created_at < ?', f.until);
  if (f.after) {
    vals.push(f.after.createdUs, f.after.id);
    where.push(`(${CREATED_US}, id) ${f.order === 'asc' ? '>' : '<'} ($${vals.length - 1}::bigint, $${vals.length}::bigint)`);
  }
  vals.push(f.limit);
  // Event time first, as the seed's "all events for a job ... ORDER BY created_at": the chain's insert order is
  // not causal across relays (several outbox relays publish concurrently); the id only breaks ties.
  const dir = f.order === 'asc' ? 'ASC' : 'DESC';
  const sql = `SELECT ${COLUMNS} FROM public.audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_at ${dir}, id ${dir} LIMIT $${vals.length}`;
  return withTransaction(pool, async (c) => (await c.query<AuditRow>(sql, vals)).rows, { scene: f.scene, readOnly: true });
}
