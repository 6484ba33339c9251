/**
 * From a dph.audit.<event_type> CloudEvent to an audit_events row. Validation happens here, before a batch is
 * built, so that one malformed event is refused on its own instead of failing the whole batch insert.
 */
import { z } from 'zod';
import { AUDIT_EVENT_TYPES, EVENT_TYPE_PREFIX, SCENE_PATTERN, type CloudEvent } from '@dph/contracts';

export interface AuditRow {
  eventId: string;
  jobId: string | null;
  tenantScene: string | null;
  eventType: string;
  actor: string;
  payload: Record<string, unknown>;
  traceId: string | null;
  /** When the audited action happened (created_at). */
  occurredAt: Date;
}

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

const dataSchema = z.object({
  eventType: z.enum(AUDIT_EVENT_TYPES),
  jobId: uuid.nullable(),
  tenantScene: z.string().regex(SCENE_PATTERN).nullable(),
  actor: z.string().min(1).max(256),
  payload: z.record(z.string(), z.unknown()),
  traceId: z.string().regex(/^[0-9a-f]{32}$/).nullable(),
  occurredAt: z.iso.datetime({ offset: true }),
});

export type AuditEventProblem = 'invalid_event' | 'type_mismatch';

export type AuditRowResult = { ok: true; row: AuditRow } | { ok: false; problem: AuditEventProblem; field?: string };

export function auditRowFromEvent(event: CloudEvent): AuditRowResult {
  if (!uuid.safeParse(event.id).success) return { ok: false, problem: 'invalid_event', field: 'id' };
  const parsed = dataSchema.safeParse(event.data);
  if (!parsed.success) {
    // The path names a field, never its value.
    const field = parsed.error.issues[0]?.path.join('.') ?? 'data';
    return { ok: false, problem: 'invalid_event', field };
  }
  const d = parsed.data;
  if (event.type !== `${EVENT_TYPE_PREFIX.audit}${d.eventType}`) return { ok: false, problem: 'type_mismatch', field: 'type' };
  return {
    ok: true,
    row: {
      eventId: event.id.toLowerCase(),
      jobId: d.jobId?.toLowerCase() ?? null,
      tenantScene: d.tenantScene,
      eventType: d.eventType,
      actor: d.actor,
      payload: d.payload,
      traceId: d.traceId,
      occurredAt: new Date(d.occurredAt),
    },
  };
}
