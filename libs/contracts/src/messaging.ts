import type { Classification } from './jobs.js';

/** Broker topology names (DESIGN §2). Changing them is a contract change. */
export const EXCHANGES = {
  jobs: 'dph.jobs',
  events: 'dph.events',
  audit: 'dph.audit',
  deadLetter: 'dph.dlx',
  /** Alternate exchange of dph.jobs: receives parse tasks no zone queue accepted. */
  unrouted: 'dph.jobs.unrouted',
} as const;

/**
 * Priority bands. Quorum queues on RabbitMQ 3.10 have no message priority, so each zone has one queue per band
 * and the worker always takes from the highest non-empty band first.
 */
export const PRIORITY_BANDS = ['high', 'normal', 'low'] as const;
export type PriorityBand = (typeof PRIORITY_BANDS)[number];
export function priorityBand(priority: number): PriorityBand {
  if (priority >= 7) return 'high';
  if (priority >= 4) return 'normal';
  return 'low';
}

export const parseRoutingKey = (c: Classification, band: PriorityBand): string => `parse.${c}.${band}`;
export const jobEventRoutingKey = (status: string): string => `job.${status}`;
export const auditRoutingKey = (eventType: string): string => `audit.${eventType}`;
/**
 * Batch messages (CloudEvents JSON batch format, many audit events of one type) go under their own prefix to a
 * queue of their own, which the writer consumes with a prefetch counted for messages that size (memory bound).
 */
export const auditBatchRoutingKey = (eventType: string): string => `audit-batch.${eventType}`;

export const QUEUES = {
  /** Zone queue for one priority band, e.g. dph.parse.default.high */
  parse: (zone: string, band: PriorityBand) => `dph.parse.${zone}.${band}`,
  unrouted: 'dph.jobs.unrouted',
  webhookEvents: 'dph.webhooks.events',
  audit: 'dph.audit.writer',
  auditBatches: 'dph.audit.writer.batches',
} as const;

export const dlqName = (queue: string): string => `${queue}.dlq`;

/** AMQP header names. */
export const HEADERS = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;
