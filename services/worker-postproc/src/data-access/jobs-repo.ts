/** Job rows for the worker: conditional transitions, each committed together with its outbox messages. */
import { OUTBOX_CHANNEL, enqueueOutboxMany, outboxColumns, withTransaction, type Pool, type Queryable } from '@dph/db';
import type { DocumentType, JobStatus } from '@dph/contracts';
import type { JobRecord, JobsPort, SuccessUpdate } from '../domain/ports.js';
import type { OutboxItem } from '../domain/messages.js';

interface JobRow {
  job_id: string;
  tenant_scene: string;
  business_ref: string;
  status: JobStatus;
  created_at: Date;
  raw_bucket: string | null;
  raw_key: string | null;
  declared_type: string | null;
  filename: string | null;
  callback: { url?: string; eventFilter?: string[] } | null;
}

const COLUMNS = 'job_id, tenant_scene, business_ref, status, created_at, raw_bucket, raw_key, declared_type, filename, callback';

function toRecord(r: JobRow): JobRecord {
  return {
    jobId: r.job_id,
    tenantScene: r.tenant_scene,
    businessRef: r.business_ref,
    status: r.status,
    createdAt: r.created_at,
    rawBucket: r.raw_bucket,
    rawKey: r.raw_key,
    declaredType: r.declared_type,
    filename: r.filename,
    callback: r.callback?.url ? { url: r.callback.url, eventFilter: r.callback.eventFilter ?? [] } : null,
  };
}

export function jobsRepo(pool: Pool): JobsPort {
  /** UPDATE ... WHERE status = ANY(expected) RETURNING, plus the outbox rows, in one transaction. */
  const transition = (jobId: string, set: string, values: unknown[], expected: readonly JobStatus[], outbox: (j: JobRecord) => OutboxItem[]) =>
    withTransaction(pool, async (c: Queryable) => {
      const r = await c.query<JobRow>(
        `UPDATE public.jobs SET ${set}, event_seq = event_seq + 1
          WHERE job_id = $1 AND status = ANY($2::text[]) RETURNING ${COLUMNS}`,
        [jobId, expected, ...values],
      );
      const row = r.rows[0];
      if (!row) return null;
      const job = toRecord(row);
      await enqueueOutboxMany(c, outbox(job));
      return job;
    });

  /**
   * The same conditional transition as one statement (its own transaction): the outbox rows are built from the
   * loaded row with the new status before the UPDATE, and inserted, with the NOTIFY, only if the UPDATE matched.
   * One round trip instead of five (BEGIN, UPDATE, INSERT, NOTIFY, COMMIT) on every step of every job. The
   * columns the messages read (scene, business ref, callback) never change after submission.
   */
  const step = async (job: JobRecord, status: JobStatus, set: string, values: unknown[], expected: readonly JobStatus[], outbox: (j: JobRecord) => OutboxItem[]) => {
    const items = outbox({ ...job, status });
    const n = 3 + values.length;
    const r = await pool.query<JobRow>(
      `WITH moved AS (
         UPDATE public.jobs SET status = $3, ${set}, event_seq = event_seq + 1
          WHERE job_id = $1 AND status = ANY($2::text[]) RETURNING ${COLUMNS}
       ), queued AS (
         INSERT INTO public.outbox (event_id, exchange, routing_key, body, headers, mandatory)
         SELECT * FROM unnest($${n + 1}::uuid[], $${n + 2}::text[], $${n + 3}::text[], $${n + 4}::bytea[], $${n + 5}::jsonb[], $${n + 6}::boolean[])
          WHERE EXISTS (SELECT 1 FROM moved)
       )
       SELECT ${COLUMNS}, pg_notify('${OUTBOX_CHANNEL}', '')::text AS notified FROM moved`,
      [job.jobId, expected, status, ...values, ...outboxColumns(items)],
    );
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  };

  return {
    async load(jobId) {
      const r = await pool.query<JobRow>(`SELECT ${COLUMNS} FROM public.jobs WHERE job_id = $1`, [jobId]);
      return r.rows[0] ? toRecord(r.rows[0]) : undefined;
    },
    async status(jobId) {
      const r = await pool.query<{ status: JobStatus }>('SELECT status FROM public.jobs WHERE job_id = $1', [jobId]);
      return r.rows[0]?.status;
    },
    toParsing: (job, outbox) => step(job, 'parsing', 'progress = 10', [], ['queued'], outbox),
    toPostproc: (job, documentType: DocumentType, engine: string, outbox) =>
      step(job, 'postproc', 'progress = 60, document_type = $4, parse_engine = $5', [documentType, engine], ['parsing'], outbox),
    succeed: (job, u: SuccessUpdate, outbox) =>
      step(
        job,
        'succeeded',
        `progress = 100, document_type = $4, parse_engine = $5, degraded = $6, warnings = $7::jsonb,
         parsed_bucket = $8, result_keys = $9::jsonb, pii_counts = $10::jsonb`,
        [u.documentType, u.engine, u.degraded, JSON.stringify(u.warnings), u.parsedBucket, JSON.stringify(u.resultKeys), JSON.stringify(u.piiCounts)],
        ['postproc'],
        outbox,
      ),
    fail: (jobId, from, code, message, outbox) =>
      transition(jobId, `status = 'failed', error_code = $3, error_msg = $4`, [code, message.slice(0, 500)], from, outbox),
  };
}
