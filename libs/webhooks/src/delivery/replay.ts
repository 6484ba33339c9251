/**
 * Operator replay and delivery listings, for the API (operator role checked there). Run inside
 * withTransaction({ scene }) as dph_api; write the returned audit event (dlq_replayed) to the outbox in the same
 * transaction. Replay resets a dead delivery to pending with a fresh retry budget; it keeps its event id, so the
 * receiver sees the same webhook-id as before and can deduplicate.
 */
import { DphError } from '@dph/errors';
import { ERROR_CODES, SCENE_PATTERN, type AuditEventData, UUID_PATTERN } from '@dph/contracts';
import type { Queryable } from '@dph/db';


function check(scene: string, ...ids: string[]): void {
  if (!SCENE_PATTERN.test(scene)) throw new DphError(ERROR_CODES.validationFailed, 'invalid tenant scene', { status: 400 });
  for (const id of ids) if (!UUID_PATTERN.test(id)) throw new DphError(ERROR_CODES.notFound, 'delivery not found', { status: 404 });
}

function replayAudit(scene: string, actor: string, payload: Record<string, unknown>): AuditEventData {
  return { eventType: 'dlq_replayed', jobId: null, tenantScene: scene, actor, payload: { kind: 'webhook', ...payload }, traceId: null, occurredAt: new Date().toISOString() };
}

/** POST .../deliveries/{id}/replay: one dead-lettered delivery. 404 unknown, 409 when it is not dead. */
export async function replayDelivery(
  q: Queryable,
  tenantScene: string,
  deliveryId: string,
  actor: string,
): Promise<{ deliveryId: string; audit: AuditEventData }> {
  check(tenantScene, deliveryId);
  const r = await q.query<{ delivery_id: string; job_id: string | null; subscription_id: string | null }>(
    `UPDATE webhook_deliveries SET status = 'pending', attempt_base = attempts, next_attempt_at = now(), dead_at = NULL
      WHERE delivery_id = $1 AND tenant_scene = $2 AND status = 'dead'
      RETURNING delivery_id, job_id, subscription_id`,
    [deliveryId, tenantScene],
  );
  const row = r.rows[0];
  if (!row) {
    const exists = await q.query('SELECT 1 FROM webhook_deliveries WHERE delivery_id = $1 AND tenant_scene = $2', [deliveryId, tenantScene]);
    if (exists.rows.length === 0) throw new DphError(ERROR_CODES.notFound, 'delivery not found', { status: 404 });
    throw new DphError(ERROR_CODES.deliveryNotDead, 'only dead-lettered deliveries can be replayed', { status: 409 });
  }
  const audit = replayAudit(tenantScene, actor, { deliveryId, subscriptionId: row.subscription_id, count: 1 });
  return { deliveryId, audit: { ...audit, jobId: row.job_id } };
}

/** POST /v1/webhooks/{id}/replay {from, to}: every dead delivery of the endpoint dead-lettered in [from, to). */
export async function replayDeadDeliveries(
  q: Queryable,
  tenantScene: string,
  subscriptionId: string,
  range: { from: Date; to: Date },
  actor: string,
): Promise<{ count: number; audit: AuditEventData }> {
  check(tenantScene, subscriptionId);
  if (!(range.from instanceof Date) || !(range.to instanceof Date) || Number.isNaN(range.from.getTime()) || Number.isNaN(range.to.getTime()) || range.from >= range.to) {
    throw new DphError(ERROR_CODES.validationFailed, 'from must be before to', { status: 422 });
  }
  const r = await q.query(
    `UPDATE webhook_deliveries SET status = 'pending', attempt_base = attempts, next_attempt_at = now(), dead_at = NULL
      WHERE subscription_id = $1 AND tenant_scene = $2 AND status = 'dead' AND dead_at >= $3 AND dead_at < $4`,
    [subscriptionId, tenantScene, range.from, range.to],
  );
  const count = r.rowCount ?? 0;
  return {
    count,
    audit: replayAudit(tenantScene, actor, { subscriptionId, count, from: range.from.toISOString(), to: range.to.toISOString() }),
  };
}

export interface DeliveryView {
  deliveryId: string;
  eventId: string;
  event: string;
  jobId: string | null;
  subscriptionId: string | null;
  status: 'pending' | 'succeeded' | 'failed' | 'dead';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastLatencyMs: number | null;
  errorClass: string | null;
  createdAt: string;
  deliveredAt: string | null;
  deadAt: string | null;
  /** Operators only (never shown to other clients). */
  responseExcerpt?: string | null;
}

/** GET /v1/webhooks/{id}/deliveries: newest first; `includeExcerpt` only for operators. */
export async function listDeliveries(
  q: Queryable,
  tenantScene: string,
  subscriptionId: string,
  opts: { status?: DeliveryView['status']; limit?: number; includeExcerpt?: boolean } = {},
): Promise<DeliveryView[]> {
  check(tenantScene, subscriptionId);
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  const { rows } = await q.query<Record<string, unknown>>(
    `SELECT delivery_id, event_id, event_type, job_id, subscription_id, status, attempts, next_attempt_at,
            last_status_code, last_latency_ms, error_class, created_at, delivered_at, dead_at, response_excerpt
       FROM webhook_deliveries
      WHERE subscription_id = $1 AND tenant_scene = $2 AND ($3::text IS NULL OR status = $3)
      ORDER BY created_at DESC LIMIT $4`,
    [subscriptionId, tenantScene, opts.status ?? null, limit],
  );
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : null);
  return rows.map((r) => ({
    deliveryId: r.delivery_id as string,
    eventId: r.event_id as string,
    event: r.event_type as string,
    jobId: (r.job_id as string | null) ?? null,
    subscriptionId: (r.subscription_id as string | null) ?? null,
    status: r.status as DeliveryView['status'],
    attempts: r.attempts as number,
    nextAttemptAt: r.status === 'pending' || r.status === 'failed' ? iso(r.next_attempt_at) : null,
    lastStatusCode: (r.last_status_code as number | null) ?? null,
    lastLatencyMs: (r.last_latency_ms as number | null) ?? null,
    errorClass: (r.error_class as string | null) ?? null,
    createdAt: iso(r.created_at)!,
    deliveredAt: iso(r.delivered_at),
    deadAt: iso(r.dead_at),
    ...(opts.includeExcerpt ? { responseExcerpt: (r.response_excerpt as string | null) ?? null } : {}),
  }));
}
