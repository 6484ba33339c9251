/**
 * The messages an API operation publishes through the outbox, built as plain data (no broker or database types):
 * the parse task on dph.jobs, job events on dph.events and audit events on dph.audit, all CloudEvents with the
 * request's traceparent in the headers.
 */
import { v7 as uuidv7 } from 'uuid';
import {
  EXCHANGES, EVENT_TYPE_PREFIX, auditRoutingKey, jobEventRoutingKey, parseRoutingKey, priorityBand,
  type AuditEventData, type AuditEventType, type CloudEvent, type JobEventData, type ParseTask,
} from '@dph/contracts';

export interface OutboxItem {
  eventId: string;
  exchange: string;
  routingKey: string;
  body: Buffer;
  headers: Record<string, string>;
  mandatory?: boolean;
}

export interface EventContext {
  source: string;
  traceparent: string;
  traceId: string | null;
  now: Date;
}

/** Type of the parse task event the worker consumes. */
export const PARSE_TASK_TYPE = 'dph.job.parse_requested';

function cloudEvent<T>(type: string, source: string, subject: string | undefined, data: T, time: Date): CloudEvent<T> {
  return {
    specversion: '1.0',
    id: uuidv7(),
    source,
    type,
    time: time.toISOString(),
    ...(subject !== undefined ? { subject } : {}),
    datacontenttype: 'application/json',
    data,
  };
}

function item(event: CloudEvent, exchange: string, routingKey: string, ctx: EventContext, mandatory = false): OutboxItem {
  return {
    eventId: event.id,
    exchange,
    routingKey,
    body: Buffer.from(JSON.stringify(event)),
    headers: { traceparent: ctx.traceparent },
    ...(mandatory ? { mandatory: true } : {}),
  };
}

/** Parse tasks are mandatory: a classification no zone binds comes back unroutable instead of vanishing. */
export function parseTaskMessage(task: ParseTask, ctx: EventContext): OutboxItem {
  const ev = cloudEvent(PARSE_TASK_TYPE, ctx.source, task.jobId, task, ctx.now);
  return item(ev, EXCHANGES.jobs, parseRoutingKey(task.classification, priorityBand(task.priority)), ctx, true);
}

export function jobEventMessage(data: JobEventData, ctx: EventContext): OutboxItem {
  const ev = cloudEvent(`${EVENT_TYPE_PREFIX.job}${data.status}`, ctx.source, data.jobId, data, ctx.now);
  return item(ev, EXCHANGES.events, jobEventRoutingKey(data.status), ctx);
}

export function auditMessage(
  eventType: AuditEventType,
  fields: { jobId: string | null; tenantScene: string | null; actor: string; payload: Record<string, unknown> },
  ctx: EventContext,
): OutboxItem {
  const data: AuditEventData = { eventType, ...fields, traceId: ctx.traceId, occurredAt: ctx.now.toISOString() };
  const ev = cloudEvent(`${EVENT_TYPE_PREFIX.audit}${eventType}`, ctx.source, fields.jobId ?? undefined, data, ctx.now);
  return item(ev, EXCHANGES.audit, auditRoutingKey(eventType), ctx);
}

/** An audit event produced elsewhere (e.g. by @dph/webhooks use cases) with the request's trace id added. */
export function auditDataMessage(data: AuditEventData, ctx: EventContext): OutboxItem {
  return auditMessage(data.eventType, { jobId: data.jobId, tenantScene: data.tenantScene, actor: data.actor, payload: data.payload }, ctx);
}
