/**
 * A parse task the broker could not route (no zone binds its classification) ends parked in the outbox. The job
 * must not wait forever: it fails with no_zone_for_classification, audited and announced, in one transaction.
 */
import { enqueueOutboxMany, withTransaction, type Pool } from '@dph/db';
import { ERROR_CODES, EXCHANGES, type ParseTask } from '@dph/contracts';
import { auditMessage, jobEventMessage, type EventContext } from '../domain/events.js';

export async function failUnroutableJob(pool: Pool, outboxId: string, ctx: Omit<EventContext, 'traceparent' | 'traceId'>): Promise<boolean> {
  const r = await pool.query<{ body: Buffer; exchange: string; headers: Record<string, string> }>(
    'SELECT body, exchange, headers FROM public.outbox WHERE id = $1', [outboxId]);
  const row = r.rows[0];
  if (!row || row.exchange !== EXCHANGES.jobs) return false;
  const task = (JSON.parse(row.body.toString('utf8')) as { data: ParseTask }).data;
  const traceparent = row.headers.traceparent ?? '';
  const full: EventContext = { ...ctx, traceparent, traceId: traceparent.length === 55 ? traceparent.slice(3, 35) : null };
  return withTransaction(pool, async (c) => {
    const u = await c.query(
      `UPDATE public.jobs SET status = 'failed', error_code = $2, error_msg = 'no deployment zone accepts this classification',
         event_seq = event_seq + 1 WHERE job_id = $1 AND status = 'queued'`,
      [task.jobId, ERROR_CODES.noZoneForClassification]);
    if (u.rowCount === 0) return false;
    await enqueueOutboxMany(c, [
      jobEventMessage({ jobId: task.jobId, status: 'failed', tenantScene: task.tenantScene, businessRef: task.businessRef,
        occurredAt: ctx.now.toISOString(), errorCode: ERROR_CODES.noZoneForClassification }, full),
      auditMessage('failed', { jobId: task.jobId, tenantScene: task.tenantScene, actor: ctx.source,
        payload: { errorCode: ERROR_CODES.noZoneForClassification, classification: task.classification } }, full),
    ]);
    return true;
  }, { scene: task.tenantScene });
}
