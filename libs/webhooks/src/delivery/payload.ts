import { createHash } from 'node:crypto';
import { EVENT_TYPE_PREFIX, JOB_STATUSES, type CloudEvent, type JobEventData } from '@dph/contracts';

/** The thin body receivers get: results are fetched through the API, never embedded. */
export interface WebhookPayload {
  type: string;
  jobId: string;
  status: string;
  businessRef: string;
  tenantScene: string;
  occurredAt: string;
  errorCode?: string;
  degraded?: boolean;
}

/** `dph.job.succeeded` → `job.succeeded` (the name subscriptions filter on). */
export function eventNameOfEvent(event: Pick<CloudEvent<JobEventData>, 'type' | 'data'>): string {
  if (event.type.startsWith(EVENT_TYPE_PREFIX.job)) return `job.${event.type.slice(EVENT_TYPE_PREFIX.job.length)}`;
  return `job.${event.data.status}`;
}

export function buildPayload(event: CloudEvent<JobEventData>): WebhookPayload {
  const d = event.data;
  return {
    type: eventNameOfEvent(event),
    jobId: d.jobId,
    status: d.status,
    businessRef: d.businessRef,
    tenantScene: d.tenantScene,
    occurredAt: d.occurredAt,
    ...(d.errorCode ? { errorCode: d.errorCode } : {}),
    ...(d.degraded ? { degraded: true } : {}),
  };
}

/**
 * Order of a job's events for one endpoint. Job states only move forward (the jobs trigger enforces it) and each
 * is entered at most once, so the state's rank orders a job's events without a sequence in the event itself.
 */
export function eventSeq(status: string): number {
  const i = (JOB_STATUSES as readonly string[]).indexOf(status);
  if (i < 0) return 99;
  return Math.min(i, TERMINAL_SEQ); // succeeded, failed and cancelled are all terminal: one rank
}

/** The rank of a job's terminal event: nothing of the same job is ever ordered behind it. */
export const TERMINAL_SEQ = 3;

/** One delivery per (event, endpoint): subscriptions by id, per-job callbacks by a hash of their URL. */
export const subscriptionEndpointKey = (subscriptionId: string): string => `sub:${subscriptionId}`;
export const callbackEndpointKey = (url: string): string => `cb:${createHash('sha256').update(url).digest('hex')}`;
