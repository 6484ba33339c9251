/** Job rows for the worker: conditional transitions, each committed together with its outbox messages. */
import { enqueueOutboxMany, withTransaction, type Pool, type Queryable } from '@dph/db';
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

  return {
    async load(jobId) {
      const r = await pool.query<JobRow>(`SELECT ${COLUMNS} FROM public.jobs WHERE job_id = $1`, [jobId]);
      return r.rows[0] ? toRecord(r.rows[0]) : undefined;
    },
    async status(jobId) {
      const r = await pool.query<{ status: JobStatus }>('SELECT status FROM public.jobs WHERE job_id = $1', [jobId]);
      return r.rows[0]?.status;
    },
    toParsing: (jobId, outbox) => transition(jobId, `status = 'parsing', progress = 10`, [], ['queued'], outbox),
    toPostproc: (jobId, documentType: DocumentType, engine: string, outbox) =>
      transition(jobId, `status = 'postproc', progress = 60, document_type = $3, parse_engine = $4`, [documentType, engine], ['parsing'], outbox),
    succeed: (jobId, u: SuccessUpdate, outbox) =>
      transition(
        jobId,
        `status = 'succeeded', progress = 100, document_type = $3, parse_engine = $4, degraded = $5, warnings = $6::jsonb,
         parsed_bucket = $7, result_keys = $8::jsonb, pii_counts = $9::jsonb`,
        [u.documentType, u.engine, u.degraded, JSON.stringify(u.warnings), u.parsedBucket, JSON.stringify(u.resultKeys), JSON.stringify(u.piiCounts)],
        ['postproc'],
        outbox,
      ),
    fail: (jobId, from, code, message, outbox) =>
      transition(jobId, `status = 'failed', error_code = $3, error_msg = $4`, [code, message.slice(0, 500)], from, outbox),
  };
}
