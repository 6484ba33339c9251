import { JOB_STATUSES, SCENE_PATTERN, type CloudEvent, type JobEventData } from '@dph/contracts';
import type { Queryable } from '@dph/db';
import { MalformedEventError } from '@dph/messaging';
import { recordEventDeliveries } from '@dph/webhooks';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks what the dispatcher relies on; anything else is a malformed event for the DLQ, never a silent drop. */
export function checkJobEvent(event: CloudEvent<unknown>): CloudEvent<JobEventData> {
  const d = event.data as Partial<JobEventData> | null;
  if (!UUID.test(event.id)) throw new MalformedEventError('event id must be a UUID');
  if (!d || typeof d !== 'object') throw new MalformedEventError('data must be an object');
  if (typeof d.jobId !== 'string' || !UUID.test(d.jobId)) throw new MalformedEventError('data.jobId must be a UUID');
  if (typeof d.tenantScene !== 'string' || !SCENE_PATTERN.test(d.tenantScene)) throw new MalformedEventError('data.tenantScene is invalid');
  if (typeof d.status !== 'string' || !(JOB_STATUSES as readonly string[]).includes(d.status)) throw new MalformedEventError('data.status is invalid');
  if (d.callback !== undefined && d.callback !== null && (typeof d.callback !== 'object' || typeof d.callback.url !== 'string')) {
    throw new MalformedEventError('data.callback is invalid');
  }
  return event as CloudEvent<JobEventData>;
}

/**
 * The consumer handler: record one delivery per matching endpoint (idempotent on the event id), then wake the
 * delivery loop. The message is acked only after the insert committed; a crash before means redelivery.
 */
export function jobEventHandler(q: Queryable, onRecorded: (count: number) => void) {
  return async (event: CloudEvent<unknown>): Promise<void> => {
    const n = await recordEventDeliveries(q, checkJobEvent(event));
    onRecorded(n);
  };
}
