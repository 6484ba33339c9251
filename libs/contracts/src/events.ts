/** CloudEvents 1.0 envelope in structured JSON mode (DESIGN §2). `subject` is the job id when there is one. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  data: T;
}

export const EVENT_TYPE_PREFIX = {
  job: 'dph.job.',
  audit: 'dph.audit.',
} as const;

/** Data of a dph.job.<status> event (what the webhook dispatcher turns into a thin payload). */
export interface JobEventData {
  jobId: string;
  status: string;
  tenantScene: string;
  businessRef: string;
  occurredAt: string;
  errorCode?: string;
  degraded?: boolean;
  /** Per-job callback registered at submission, if any. */
  callback?: { url: string; eventFilter: string[] } | undefined;
}

export const AUDIT_EVENT_TYPES = [
  'submitted', 'routed', 'parsing_started', 'parsed', 'pii_hit', 'postproc_done', 'succeeded', 'failed',
  'cancelled', 'webhook_delivered', 'webhook_failed', 'webhook_disabled', 'secret_rotated', 'access_denied',
  'dlq_replayed', 'dlq_discarded', 'audit_exported',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Data of a dph.audit.<event_type> event; one becomes one audit_events row. */
export interface AuditEventData {
  eventType: AuditEventType;
  jobId: string | null;
  tenantScene: string | null;
  actor: string;
  payload: Record<string, unknown>;
  traceId: string | null;
  occurredAt: string;
}
