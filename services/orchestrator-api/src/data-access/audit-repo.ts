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
}

const COLUMNS = 'id::text, event_id::text, event_type, job_id::text, tenant_scene, actor, payload, trace_id, created_at';

export interface AuditFilter {
  scene: string;
  jobId?: string | undefined;
  eventType?: string | undefined;
  actor?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  /** Chain position to continue after (cursor). */
  afterId?: string | undefined;
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
  if (f.afterId) add(f.order === 'asc' ? 'id > ?::bigint' : 'id < ?::bigint', f.afterId);
  vals.push(f.limit);
  const sql = `SELECT ${COLUMNS} FROM public.audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY id ${f.order === 'asc' ? 'ASC' : 'DESC'} LIMIT $${vals.length}`;
  return withTransaction(pool, async (c) => (await c.query<AuditRow>(sql, vals)).rows, { scene: f.scene, readOnly: true });
}
