/**
 * The messages a transition publishes through the outbox, as plain data: job events on dph.events and audit
 * events on dph.audit, CloudEvents with the delivery's traceparent in the headers.
 */
import { v7 as uuidv7 } from 'uuid';
import {
  EXCHANGES, EVENT_TYPE_PREFIX, auditRoutingKey, jobEventRoutingKey,
  type AuditEventData, type AuditEventType, type CloudEvent, type JobEventData,
} from '@dph/contracts';
import type { JobRecord } from './ports.js';

export interface OutboxItem {
  eventId: string;
  exchange: string;
  routingKey: string;
  body: Buffer;
  headers: Record<string, string>;
}

export interface EventContext {
  source: string;
  actor: string;
  traceparent: string;
  now: () => Date;
}

function item<T>(type: string, subject: string, data: T, exchange: string, routingKey: string, ctx: EventContext): OutboxItem {
  const event: CloudEvent<T> = {
    specversion: '1.0',
    id: uuidv7(),
    source: ctx.source,
    type,
    time: ctx.now().toISOString(),
    subject,
    datacontenttype: 'application/json',
    data,
  };
  return { eventId: event.id, exchange, routingKey, body: Buffer.from(JSON.stringify(event)), headers: { traceparent: ctx.traceparent } };
}

export function jobEvent(job: JobRecord, extra: { errorCode?: string; degraded?: boolean }, ctx: EventContext): OutboxItem {
  const data: JobEventData = {
    jobId: job.jobId,
    status: job.status,
    tenantScene: job.tenantScene,
    businessRef: job.businessRef,
    occurredAt: ctx.now().toISOString(),
    ...(extra.errorCode ? { errorCode: extra.errorCode } : {}),
    ...(extra.degraded ? { degraded: true } : {}),
    ...(job.callback ? { callback: job.callback } : {}),
  };
  return item(`${EVENT_TYPE_PREFIX.job}${job.status}`, job.jobId, data, EXCHANGES.events, jobEventRoutingKey(job.status), ctx);
}

export function auditEvent(job: Pick<JobRecord, 'jobId' | 'tenantScene'>, eventType: AuditEventType, payload: Record<string, unknown>, ctx: EventContext): OutboxItem {
  const data: AuditEventData = {
    eventType,
    jobId: job.jobId,
    tenantScene: job.tenantScene,
    actor: ctx.actor,
    payload,
    traceId: ctx.traceparent.split('-')[1] ?? null,
    occurredAt: ctx.now().toISOString(),
  };
  return item(`${EVENT_TYPE_PREFIX.audit}${eventType}`, job.jobId, data, EXCHANGES.audit, auditRoutingKey(eventType), ctx);
}
