import { JOB_STATUSES, SCENE_PATTERN, type CloudEvent, type JobEventData, UUID_PATTERN } from '@dph/contracts';
import type { Queryable } from '@dph/db';
import { MalformedEventError, type DeliveryContext } from '@dph/messaging';
import { intakeDeliveries, type ClaimedDelivery, type EndpointRoom } from '@dph/webhooks';
import { Batcher } from './event-batcher.js';


/** Checks what the dispatcher relies on; anything else is a malformed event for the DLQ, never a silent drop. */
export function checkJobEvent(event: CloudEvent<unknown>): CloudEvent<JobEventData> {
  const d = event.data as Partial<JobEventData> | null;
  if (!UUID_PATTERN.test(event.id)) throw new MalformedEventError('event id must be a UUID');
  if (!d || typeof d !== 'object') throw new MalformedEventError('data must be an object');
  if (typeof d.jobId !== 'string' || !UUID_PATTERN.test(d.jobId)) throw new MalformedEventError('data.jobId must be a UUID');
  if (typeof d.tenantScene !== 'string' || !SCENE_PATTERN.test(d.tenantScene)) throw new MalformedEventError('data.tenantScene is invalid');
  if (typeof d.status !== 'string' || !(JOB_STATUSES as readonly string[]).includes(d.status)) throw new MalformedEventError('data.status is invalid');
  if (d.callback !== undefined && d.callback !== null && (typeof d.callback !== 'object' || typeof d.callback.url !== 'string')) {
    throw new MalformedEventError('data.callback is invalid');
  }
  return event as CloudEvent<JobEventData>;
}

/**
 * The consumer handler: record one delivery per matching endpoint (idempotent on the event id), batched with the
 * other events in flight; deliveries nothing waits in front of come back already claimed and are sent at once.
 * The message is acked only after the insert committed; a crash before means redelivery. Each delivery keeps the
 * trace the event was consumed under.
 */
export function jobEventHandler(
  q: Queryable,
  opts: {
    leaseMs: number;
    onlyScene: string | null;
    /** Each busy endpoint's remaining share, read as each batch starts. */
    endpointRoom: () => EndpointRoom;
    onRecorded: (count: number, claimed: ClaimedDelivery[]) => void;
  },
) {
  const batcher = new Batcher<{ event: CloudEvent<JobEventData>; traceparent: string | undefined }, number>(async (items) => {
    const { created, claimed } = await intakeDeliveries(
      q, items.map((i) => i.event), opts.leaseMs, opts.onlyScene, items.map((i) => i.traceparent), opts.endpointRoom(),
    );
    opts.onRecorded(created, claimed);
    return created;
  });
  // The consumer span (child of the event's traceparent header) is kept on each delivery: attempts and their audit
  // events stay in the job's trace.
  return async (event: CloudEvent<unknown>, ctx?: Pick<DeliveryContext, 'traceparent'>): Promise<void> => {
    await batcher.add({ event: checkJobEvent(event), traceparent: ctx?.traceparent });
  };
}
