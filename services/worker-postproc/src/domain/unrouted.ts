/**
 * Parse tasks that no zone queue accepted arrive, through dph.jobs' alternate exchange, on dph.jobs.unrouted.
 * Any worker consumes that queue and fails the job with no_zone_for_classification, so the job does not vanish.
 */
import { ERROR_CODES, type ParseTask } from '@dph/contracts';
import { DphError } from '@dph/errors';
import { auditEvent, jobEvent, type EventContext } from './messages.js';
import type { JobsPort, PipelineMetrics } from './ports.js';

export async function failUnrouted(task: ParseTask, ctx: EventContext, jobs: JobsPort, metrics: PipelineMetrics): Promise<'failed' | 'skipped'> {
  if (!task || typeof task.jobId !== 'string') throw new DphError(ERROR_CODES.validationFailed, 'unrouted message is not a parse task', { retryable: false });
  const code = ERROR_CODES.noZoneForClassification;
  const failed = await jobs.fail(task.jobId, ['queued'], code, `no worker zone accepts classification ${safe(task.classification)}`, (j) => [
    jobEvent(j, { errorCode: code }, ctx),
    auditEvent(j, 'failed', { errorCode: code, classification: safe(task.classification) }, ctx),
  ]);
  if (!failed) return 'skipped';
  metrics.jobFailed(code);
  return 'failed';
}

const safe = (c: unknown) => (typeof c === 'string' && /^[a-z]{1,20}$/.test(c) ? c : 'unknown');
