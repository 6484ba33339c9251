/**
 * SQL for jobs and idempotency records. Every statement runs inside withTransaction({ scene }), or calls a database
 * function that sets the scene first (migration 0030), so row-level security scopes it to one tenant scene (the
 * dph_api role sees nothing without one).
 */
import { enqueueOutboxMany, outboxColumns, withTransaction, type Pool, type Queryable } from '@dph/db';
import { SCENE_PATTERN, type JobStatus } from '@dph/contracts';
import { DphError } from '@dph/errors';
import type { OutboxItem } from '../domain/events.js';
import type { Cursor } from '../domain/submission.js';

export interface JobRow {
  job_id: string;
  tenant_scene: string;
  business_ref: string;
  source_type: string;
  data_classification: string;
  priority: number;
  status: JobStatus;
  progress: number;
  degraded: boolean;
  warnings: unknown[];
  error_code: string | null;
  error_msg: string | null;
  submit_by: string;
  document_type: string | null;
  parsed_bucket: string | null;
  result_keys: { md: string; json: string; chunks: string } | null;
  event_seq: number;
  /** Epoch microseconds of created_at (exact keyset position; JS dates stop at milliseconds). */
  created_us: string;
  callback: { url: string; eventFilter: string[] } | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const COLUMNS = `job_id, tenant_scene, business_ref, source_type, data_classification, priority, status, progress,
  degraded, warnings, error_code, error_msg, submit_by, document_type, parsed_bucket, result_keys, event_seq,
  callback, created_at, updated_at, started_at, finished_at,
  (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_us`;

export interface NewJob {
  jobId: string;
  tenantScene: string;
  businessRef: string;
  sourceType: string;
  sourceRef: string | null;
  classification: string;
  priority: number;
  submitBy: string;
  callback: unknown;
  rawBucket: string;
  rawKey: string;
  declaredType: string | null;
  filename: string | null;
  documentType: string | null;
  createdAt: Date;
}

export interface IdempotencyRecord {
  request_fingerprint: string;
  job_id: string | null;
  response: { jobId: string; status: string; createdAt: string } | null;
}

export type InsertOutcome =
  | { kind: 'created' }
  | { kind: 'replay' | 'conflict'; record: IdempotencyRecord };

/** The scene setting and the lookup in one round trip (dph_api_find_idempotency; its own one-statement transaction). */
export async function findIdempotency(pool: Pool, scene: string, subject: string, key: string): Promise<IdempotencyRecord | undefined> {
  checkScene(scene);
  const r = await pool.query<IdempotencyRecord>({
    name: 'dph_api_find_idempotency',
    text: 'SELECT request_fingerprint, job_id, response FROM public.dph_api_find_idempotency($1, $2, $3)',
    values: [scene, subject, key],
  });
  return r.rows[0];
}

/** The check setTenantScene makes, for the database functions that set the scene themselves. */
function checkScene(scene: string): void {
  if (!SCENE_PATTERN.test(scene)) throw new DphError('validation_failed', 'invalid tenant scene', { status: 400 });
}

/**
 * One transaction, one round trip (dph_api_submit_job, migration 0030): the idempotency claim (when a key is
 * given), the job row and its outbox messages (parse task, job.queued, audit `submitted`). Concurrent requests with
 * one key serialize on the record's primary key: the loser sees the winner's committed record and answers replay or
 * conflict; it never creates a second job.
 */
export async function insertJob(
  pool: Pool,
  job: NewJob,
  outbox: OutboxItem[],
  idem: { subject: string; key: string; fingerprint: string; response: unknown } | undefined,
): Promise<InsertOutcome> {
  checkScene(job.tenantScene);
  const r = await pool.query<{ created: boolean; existing_fingerprint: string | null; existing_job_id: string | null; existing_response: IdempotencyRecord['response'] }>({
    name: 'dph_api_submit_job',
    text: `SELECT created, existing_fingerprint, existing_job_id, existing_response FROM public.dph_api_submit_job(
      $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)`,
    values: [
      job.tenantScene, job.jobId, job.businessRef, job.sourceType, job.sourceRef, job.classification, job.priority,
      job.submitBy, job.callback === undefined ? null : JSON.stringify(job.callback), job.rawBucket, job.rawKey,
      job.declaredType, job.filename, job.documentType, job.createdAt,
      idem?.subject ?? null, idem?.key ?? null, idem?.fingerprint ?? null, idem ? JSON.stringify(idem.response) : null,
      ...outboxColumns(outbox),
    ],
  });
  const row = r.rows[0]!;
  if (row.created) return { kind: 'created' };
  const record: IdempotencyRecord = { request_fingerprint: row.existing_fingerprint!, job_id: row.existing_job_id, response: row.existing_response };
  return { kind: record.request_fingerprint === idem?.fingerprint ? 'replay' : 'conflict', record };
}

/** The job in one of the given scenes (RLS: each lookup is scoped to one scene), or undefined. */
export async function findJob(pool: Pool, jobId: string, scenes: readonly string[]): Promise<JobRow | undefined> {
  for (const scene of scenes) {
    const row = await withTransaction(pool, async (c) => {
      const r = await c.query<JobRow>(`SELECT ${COLUMNS} FROM public.jobs WHERE job_id = $1`, [jobId]);
      return r.rows[0];
    }, { scene, readOnly: true });
    if (row) return row;
  }
  return undefined;
}

export interface ListFilter {
  scene: string;
  /** Only this submitter's jobs (undefined: the whole scene, for operators and auditors). */
  submitBy?: string | undefined;
  status?: string | undefined;
  businessRef?: string | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
  cursor?: Cursor | undefined;
  limit: number;
}

export async function listJobs(q: Pool, f: ListFilter): Promise<JobRow[]> {
  const where: string[] = [];
  const vals: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    vals.push(v);
    where.push(sql.replace('?', `$${vals.length}`));
  };
  if (f.submitBy !== undefined) add('submit_by = ?', f.submitBy);
  if (f.status) add('status = ?', f.status);
  if (f.businessRef) add('business_ref = ?', f.businessRef);
  if (f.createdAfter) add('created_at >= ?', f.createdAfter);
  if (f.createdBefore) add('created_at < ?', f.createdBefore);
  if (f.cursor) {
    vals.push(f.cursor.createdUs, f.cursor.id);
    where.push(`(created_at, job_id) < (to_timestamp($${vals.length - 1}::numeric / 1000000), $${vals.length}::uuid)`);
  }
  vals.push(f.limit);
  const sql = `SELECT ${COLUMNS} FROM public.jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_at DESC, job_id DESC LIMIT $${vals.length}`;
  return withTransaction(q, async (c) => (await c.query<JobRow>(sql, vals)).rows, { scene: f.scene, readOnly: true });
}

/**
 * Conditional cancel: only a non-terminal job moves, and the outbox messages commit with the transition.
 * Returns the row after the update, or the unchanged row when it was already terminal.
 */
export async function cancelJob(
  pool: Pool,
  scene: string,
  jobId: string,
  outbox: (row: JobRow) => OutboxItem[],
): Promise<{ cancelled: boolean; row: JobRow | undefined }> {
  return withTransaction(pool, async (c: Queryable) => {
    const r = await c.query<JobRow>(
      `UPDATE public.jobs SET status = 'cancelled', error_code = 'cancelled', event_seq = event_seq + 1
        WHERE job_id = $1 AND status IN ('queued', 'parsing', 'postproc') RETURNING ${COLUMNS}`,
      [jobId],
    );
    const row = r.rows[0];
    if (!row) {
      const cur = await c.query<JobRow>(`SELECT ${COLUMNS} FROM public.jobs WHERE job_id = $1`, [jobId]);
      return { cancelled: false, row: cur.rows[0] };
    }
    await enqueueOutboxMany(c, outbox(row));
    return { cancelled: true, row };
  }, { scene });
}

/** An outbox write on its own (access denials: no database change goes with them). */
export async function enqueueAlone(pool: Pool, items: OutboxItem[]): Promise<void> {
  await withTransaction(pool, async (c) => enqueueOutboxMany(c, items));
}
