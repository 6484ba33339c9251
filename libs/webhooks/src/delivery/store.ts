/**
 * SQL of the delivery mechanics over the narrow Queryable. Batched where the dispatcher is hot (intake is one
 * statement per event; claims and completions are one statement per batch) because single-row autocommit writes
 * cap out around 2,400/s on this machine class.
 */
import { randomUUID } from 'node:crypto';
import { EXCHANGES, auditBatchRoutingKey, auditRoutingKey, EVENT_TYPE_PREFIX, type AuditEventData, type CloudEvent, type JobEventData } from '@dph/contracts';
import { OUTBOX_CHANNEL, outboxColumns, prepared, type OutboxMessage, type Queryable } from '@dph/db';
import { encodeEventBatch } from '@dph/messaging';
import { isValidTraceparent, traceIdOf } from '@dph/telemetry';
import { ALL_JOB_EVENTS, filterMatches } from '../subscriptions/event-filter.js';
import { buildPayload, callbackEndpointKey, eventNameOfEvent, eventSeq, TERMINAL_SEQ } from './payload.js';
import { UNLIMITED_ROOM, type EndpointRoom } from './endpoint-slots.js';

/**
 * SQL: the row is still open (pending or failed), spelled so that no partial index of open rows can answer it and
 * rows are found through the index the rest of the condition names (primary key; job, endpoint, seq). Written as
 * status IN ('pending', 'failed'), it matched the partial due index, and with statistics last taken when few rows
 * were open the planner walked that whole index per row: 800 ms for one claim under a 6,000-row backlog, and every
 * completion flush across all of it, dead entries included.
 */
const openAs = (alias: string) => `${alias}.status <> 'succeeded' AND ${alias}.status <> 'dead'`;

/** SQL: the `seen` bit mask holds every position before `pos` (a job's events 0 .. pos-1 are all recorded). */
const allSeenBefore = (seen: string, pos: string) => `${seen} & ((1 << ${pos}) - 1) = (1 << ${pos}) - 1`;

/**
 * One statement for a batch of events (see intakeDeliveries). Large batches are planned each time: a generic plan,
 * blind to the batch's size, joined 500 events to every subscription by nested loop (10 ms where the planned hash
 * join takes 1.5 ms). Small ones, the common case below full load, use a prepared plan: planning this statement
 * (0.35 ms) cost as much as running it for one event.
 */
const INTAKE_SQL = `WITH ev AS (
       SELECT e.*, CASE WHEN e.seq < ${TERMINAL_SEQ} THEN e.seq
                        ELSE (SELECT j.event_seq FROM public.jobs j WHERE j.job_id = e.job_id AND j.event_seq BETWEEN 1 AND 30) END AS pos
         FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $11::text[])
           AS e(event_id, scene, job_id, name, seq, body, cb_key, cb_url, tp)),
     batch AS (
       SELECT job_id, coalesce(bit_or(1 << pos) FILTER (WHERE seq < ${TERMINAL_SEQ}), 0) AS seen,
              max(pos) FILTER (WHERE seq >= ${TERMINAL_SEQ}) AS terminal_pos
         FROM ev WHERE pos IS NOT NULL GROUP BY job_id),
     progress AS (
       INSERT INTO webhook_job_progress AS p (job_id, seen, terminal_pos)
       SELECT job_id, seen, terminal_pos FROM batch
       ON CONFLICT (job_id) DO UPDATE
          SET seen = p.seen | excluded.seen, terminal_pos = coalesce(excluded.terminal_pos, p.terminal_pos), updated_at = now()),
     known AS (
       SELECT b.job_id, coalesce(p.seen, 0) | b.seen AS seen
         FROM batch b LEFT JOIN webhook_job_progress p ON p.job_id = b.job_id),
     cand AS (
       SELECT e.event_id, e.scene, e.job_id, e.name, s.subscription_id, 'sub:' || s.subscription_id AS endpoint_key,
              s.callback_url AS target_url, e.seq, e.pos, e.body, e.tp
         FROM ev e JOIN webhook_subscriptions s
           ON s.tenant_scene = e.scene AND s.status = 'active'
          AND (s.event_filter && ARRAY[e.name, '${ALL_JOB_EVENTS}']::text[] OR cardinality(s.event_filter) = 0)
       UNION ALL
       SELECT e.event_id, e.scene, e.job_id, e.name, NULL::uuid, e.cb_key, e.cb_url, e.seq, e.pos, e.body, e.tp
         FROM ev e WHERE e.cb_url IS NOT NULL),
     room AS (
       SELECT * FROM unnest($12::text[], $13::int[]) AS r(endpoint_key, room)),
     ranked AS (
       SELECT c.*, ($9::int IS NOT NULL AND ($10::text IS NULL OR c.scene = $10)
                    AND row_number() OVER (PARTITION BY c.endpoint_key ORDER BY c.seq, c.event_id) <= coalesce(r.room, $14::int, 2147483647)
                    AND (c.pos IS NULL OR ${allSeenBefore('k.seen', 'c.pos')})
                    AND row_number() OVER (PARTITION BY c.job_id, c.endpoint_key ORDER BY c.seq) = 1
                    AND NOT EXISTS (
                      SELECT 1 FROM webhook_deliveries x
                       WHERE x.job_id = c.job_id AND x.endpoint_key = c.endpoint_key AND x.seq < c.seq
                         AND ${openAs('x')})) AS fast
         FROM cand c LEFT JOIN known k ON k.job_id = c.job_id LEFT JOIN room r ON r.endpoint_key = c.endpoint_key),
     ins AS (
       INSERT INTO webhook_deliveries (event_id, tenant_scene, job_id, event_type, subscription_id, endpoint_key,
         target_url, seq, job_pos, payload_body, traceparent, attempts, next_attempt_at)
       SELECT event_id, scene, job_id, name, subscription_id, endpoint_key, target_url, seq, pos, body, tp,
              CASE WHEN fast THEN 1 ELSE 0 END,
              CASE WHEN fast THEN now() + $9::int * interval '1 millisecond' ELSE now() END
         FROM ranked
       ON CONFLICT (event_id, endpoint_key) DO NOTHING
       RETURNING delivery_id, event_id, tenant_scene, job_id, event_type, subscription_id, endpoint_key, target_url,
         seq, attempts, attempt_base, payload_body, traceparent, created_at)
     SELECT ins.*, s.status AS sub_status, s.secret_rotated_at AS sub_rotated_at
       FROM ins LEFT JOIN webhook_subscriptions s ON s.subscription_id = ins.subscription_id`;
const INTAKE_SMALL = prepared('dph_webhook_intake_small', INTAKE_SQL);
/** Most events a batch may hold to use the prepared plan. */
const INTAKE_SMALL_MAX = 16;

/**
 * Records one delivery per matching endpoint for each job event: active subscriptions of the scene whose filter
 * matches, plus the job's own callback. Idempotent on (event id, endpoint): a redelivered event inserts nothing.
 * One statement (one commit, one WAL flush) for the whole batch: per-event autocommits were WAL-fsync bound.
 *
 * With `fastPathLeaseMs`, a delivery that nothing is waiting in front of (no open delivery of an earlier event of
 * the same job to the same endpoint, and first of its job and endpoint in this batch) is inserted already
 * claimed (attempt 1, under a lease) and returned, so the dispatcher sends it at once instead of writing the row
 * a second time to claim it, up to `room` per busy endpoint. The rest wait for the claim loop, which keeps the
 * per-job order and each endpoint's share. Batches of one process must not overlap for that check to see each
 * other (the dispatcher runs them one at a time).
 *
 * Each event's position in its job is noted in webhook_job_progress (migration 0090), and a delivery is only sent
 * at once when every earlier position of its job has been recorded, by this batch or an earlier one.
 */
export async function intakeDeliveries(
  q: Queryable,
  events: readonly CloudEvent<JobEventData>[],
  fastPathLeaseMs: number | null = null,
  /** A scene-scoped dispatcher fast-paths only its own scene (others' rows wait for their dispatcher). */
  onlyScene: string | null = null,
  /** The W3C traceparent each event was consumed under (same index as `events`); invalid ones are not stored. */
  traceparents: readonly (string | null | undefined)[] = [],
  /** How many more deliveries each busy endpoint may take on the fast path (the engine's share per endpoint). */
  room: EndpointRoom = UNLIMITED_ROOM,
): Promise<{ created: number; claimed: ClaimedDelivery[] }> {
  if (events.length === 0) return { created: 0, claimed: [] };
  const rows = events.map((event, i) => {
    const d = event.data;
    const name = eventNameOfEvent(event);
    const cb = d.callback && filterMatches(d.callback.eventFilter ?? [ALL_JOB_EVENTS], name) ? d.callback.url : null;
    return { id: event.id, scene: d.tenantScene, job: d.jobId, name, seq: eventSeq(d.status), body: JSON.stringify(buildPayload(event)), cbKey: cb ? callbackEndpointKey(cb) : null, cb, tp: isValidTraceparent(traceparents[i]) ? traceparents[i]! : null };
  });
  const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  const r = await q.query<ClaimedDelivery>(
    events.length <= INTAKE_SMALL_MAX ? INTAKE_SMALL : INTAKE_SQL,
    [col((x) => x.id), col((x) => x.scene), col((x) => x.job), col((x) => x.name), col((x) => x.seq), col((x) => x.body),
      col((x) => x.cbKey), col((x) => x.cb), fastPathLeaseMs, onlyScene, col((x) => x.tp), room.keys, room.rooms, room.cap],
  );
  return { created: r.rows.length, claimed: r.rows.filter((x) => x.attempts === 1) };
}

export async function recordEventDeliveriesMany(q: Queryable, events: readonly CloudEvent<JobEventData>[]): Promise<number> {
  return (await intakeDeliveries(q, events, null)).created;
}

export function recordEventDeliveries(q: Queryable, event: CloudEvent<JobEventData>): Promise<number> {
  return recordEventDeliveriesMany(q, [event]);
}

export interface ClaimedDelivery {
  delivery_id: string;
  event_id: string;
  tenant_scene: string;
  job_id: string | null;
  event_type: string;
  subscription_id: string | null;
  endpoint_key: string;
  target_url: string;
  seq: number;
  attempts: number;
  attempt_base: number;
  payload_body: string | null;
  /** The trace of the job event (null for rows recorded before deliveries kept it). */
  traceparent: string | null;
  created_at: Date;
  /** Joined from the subscription (null for per-job callbacks). */
  sub_status: 'active' | 'disabled' | null;
  sub_rotated_at: Date | null;
  /** Claims only: true when the order hold ran out before an earlier event of the job was recorded. */
  order_released?: boolean;
}

/** Prepared (see PreparedSql): one plan for every claim. */
const CLAIM_SQL = prepared('dph_webhook_claim', `WITH room AS (
       SELECT * FROM unnest($5::text[], $6::int[]) AS r(endpoint_key, room)),
     cand AS (
       SELECT d.delivery_id, d.endpoint_key, d.next_attempt_at, NOT o.in_order AS order_released
         FROM webhook_deliveries d
         CROSS JOIN LATERAL (SELECT d.job_pos IS NULL OR d.job_pos = 0 OR EXISTS (
                SELECT 1 FROM webhook_job_progress p
                 WHERE p.job_id = d.job_id AND ${allSeenBefore('p.seen', 'd.job_pos')}) AS in_order) o
        WHERE d.status IN ('pending', 'failed') AND d.next_attempt_at <= now()
          AND ($3::text IS NULL OR d.tenant_scene = $3)
          AND (o.in_order OR d.created_at < now() - $4 * interval '1 millisecond')
          AND NOT EXISTS (
            SELECT 1 FROM webhook_deliveries e
             WHERE e.job_id = d.job_id AND e.endpoint_key = d.endpoint_key AND e.seq < d.seq
               AND ${openAs('e')})
          AND NOT EXISTS (SELECT 1 FROM room r WHERE r.endpoint_key = d.endpoint_key AND r.room <= 0)
        ORDER BY d.next_attempt_at
        LIMIT $8),
     fair AS (
       SELECT c.delivery_id, c.order_released FROM (
         SELECT cand.*, row_number() OVER (PARTITION BY cand.endpoint_key ORDER BY cand.next_attempt_at) AS n FROM cand) c
         LEFT JOIN room r ON r.endpoint_key = c.endpoint_key
        WHERE c.n <= coalesce(r.room, $7)
        ORDER BY c.next_attempt_at
        LIMIT $1),
     due AS (
       SELECT d.delivery_id, d.subscription_id,
              d.delivery_id = ANY (ARRAY(SELECT f.delivery_id FROM fair f WHERE f.order_released)) AS order_released
         FROM webhook_deliveries d
        WHERE d.delivery_id = ANY (ARRAY(SELECT f.delivery_id FROM fair f))
          AND ${openAs('d')} AND d.next_attempt_at <= now() -- checked again on the locked row (another replica may have won)
        FOR UPDATE OF d SKIP LOCKED)
     UPDATE webhook_deliveries w
        SET attempts = w.attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond'
       FROM due
       LEFT JOIN webhook_subscriptions s ON s.subscription_id = due.subscription_id
      WHERE w.delivery_id = due.delivery_id
     RETURNING w.delivery_id, w.event_id, w.tenant_scene, w.job_id, w.event_type, w.subscription_id, w.endpoint_key,
       w.target_url, w.seq, w.attempts, w.attempt_base, w.payload_body, w.traceparent, w.created_at,
       s.status AS sub_status, s.secret_rotated_at AS sub_rotated_at, due.order_released`);

/**
 * Claims due deliveries, at most `room` of each busy endpoint among the earliest due (rows past an endpoint's
 * share stay due and unlocked, and an endpoint with no room is passed over): bumps the attempt number and pushes
 * next_attempt_at out by the lease, so a dispatcher that dies mid-delivery loses nothing: the row becomes due again when the lease runs out and is sent again with
 * the same webhook-id. A delivery waits while an earlier event of the same job to the same endpoint is still
 * pending or retrying, and while an earlier event of its job has not been recorded at all (another dispatcher may
 * still hold it), for at most `orderHoldMs` after its creation; one released by that hold says so
 * (`order_released`).
 */
export async function claimDue(
  q: Queryable, limit: number, leaseMs: number, onlyScene: string | null = null, orderHoldMs = DEFAULT_ORDER_HOLD_MS,
  room: EndpointRoom = UNLIMITED_ROOM,
): Promise<ClaimedDelivery[]> {
  const { rows } = await q.query<ClaimedDelivery>(
    CLAIM_SQL,
    // With shares, candidates are looked for among four times the limit, so that rows past a busy endpoint's share
    // leave room for other endpoints; without, the first `limit` due rows are the answer.
    [limit, leaseMs, onlyScene, orderHoldMs, room.keys, room.rooms, room.cap, room === UNLIMITED_ROOM ? limit : limit * 4],
  );
  return rows;
}

/** How long a delivery waits for an earlier event of its job that was never recorded (DPH_WEBHOOK_ORDER_HOLD_MS). */
export const DEFAULT_ORDER_HOLD_MS = 60_000;

/**
 * Deletes job progress rows that no delivery needs any more (at most `limit`): complete ones (the terminal event
 * and every earlier one recorded) once the order hold has passed, since each delivery of that job is then past
 * the hold anyway, and any row untouched for `staleMs` (a job whose events stopped coming).
 */
export async function sweepJobProgress(q: Queryable, orderHoldMs: number, staleMs = 30 * 86_400_000, limit = 5_000): Promise<number> {
  const r = await q.query(
    `DELETE FROM webhook_job_progress WHERE job_id IN (
       SELECT job_id FROM webhook_job_progress
        WHERE updated_at < now() - $1 * interval '1 millisecond'
          AND ((terminal_pos IS NOT NULL AND ${allSeenBefore('seen', 'terminal_pos')})
               OR updated_at < now() - $2 * interval '1 millisecond')
        LIMIT $3)`,
    [orderHoldMs, staleMs, limit],
  );
  return r.rowCount ?? 0;
}

export type Completion =
  | { kind: 'succeeded' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'dead' };

export interface CompletedAttempt {
  delivery: ClaimedDelivery;
  startedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  errorClass: string | null;
  responseExcerpt: string | null;
  completion: Completion;
}

export interface SubscriptionHealth {
  subscription_id: string;
  consecutive_failures: number;
  last_success_at: Date | null;
  created_at: Date;
}

/**
 * Records a batch of finished attempts in one transaction (the caller's): the attempt rows, the deliveries'
 * new state and the subscriptions' failure counters (audit events: completeAttemptsWithAudits). A delivery whose
 * lease was taken over meanwhile (its attempt number moved on) keeps its attempt row but not our state change.
 */
export function completeAttempts(q: Queryable, batch: readonly CompletedAttempt[]): Promise<SubscriptionHealth[]> {
  return completeAttemptsWithAudits(q, batch, []);
}

/** Prepared: its joins are all by primary key, so one generic plan serves every batch size. */
const COMPLETE_SQL = prepared('dph_webhook_complete', `WITH u AS (
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::int[], $6::int[], $7::text[], $8::text[], $9::timestamptz[])
         AS u(delivery_id, attempt, status, delay_ms, status_code, latency_ms, error_class, excerpt, started_at)),
     att AS (
       INSERT INTO webhook_attempts (delivery_id, attempt, started_at, latency_ms, status_code, error_class, response_excerpt)
       SELECT delivery_id, attempt, started_at, latency_ms, status_code, error_class, excerpt FROM u
       ON CONFLICT (delivery_id, attempt) DO NOTHING),
     del AS (
       UPDATE webhook_deliveries w SET
          status = u.status,
          next_attempt_at = CASE WHEN u.status = 'failed' THEN now() + u.delay_ms * interval '1 millisecond' ELSE w.next_attempt_at END,
          delivered_at = CASE WHEN u.status = 'succeeded' THEN now() ELSE w.delivered_at END,
          dead_at = CASE WHEN u.status = 'dead' THEN now() ELSE w.dead_at END,
          last_status_code = u.status_code, last_latency_ms = u.latency_ms, error_class = u.error_class,
          response_excerpt = u.excerpt
         FROM u
        WHERE w.delivery_id = u.delivery_id AND w.attempts = u.attempt AND ${openAs('w')}),
     box AS (
       INSERT INTO public.outbox (event_id, exchange, routing_key, body, headers, mandatory)
       SELECT * FROM unnest($13::uuid[], $14::text[], $15::text[], $16::bytea[], $17::jsonb[], $18::boolean[])
       RETURNING 1),
     notified AS (
       SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM (SELECT 1 FROM box LIMIT 1) x),
     health AS (
       UPDATE webhook_subscriptions s SET
          consecutive_failures = CASE WHEN h.ok THEN h.failures ELSE s.consecutive_failures + h.failures END,
          last_success_at = CASE WHEN h.ok THEN now() ELSE s.last_success_at END,
          last_failure_at = CASE WHEN h.failures > 0 THEN now() ELSE s.last_failure_at END
         FROM unnest($10::uuid[], $11::boolean[], $12::int[]) AS h(id, ok, failures)
        WHERE s.subscription_id = h.id
          -- A healthy endpoint's row is rewritten at most once a second (lastSuccessAt is that fresh), not on
          -- every flush: a busy endpoint's subscription row was the hottest row in the database.
          AND NOT (h.ok AND h.failures = 0 AND s.consecutive_failures = 0 AND s.last_success_at > now() - interval '1 second')
        RETURNING s.subscription_id, s.consecutive_failures, s.last_success_at, s.created_at)
     SELECT health.* FROM (SELECT count(*) FROM notified) n LEFT JOIN health ON true`);

/**
 * completeAttempts plus the audit outbox rows of the batch, in ONE statement (data-modifying CTEs on four tables,
 * then the relay's NOTIFY when there are rows): a flush was eight round trips and as many socket writes on each
 * side, now it is this one plus BEGIN and COMMIT. The caller's transaction keeps it atomic with any follow-up
 * (disabling an endpoint).
 */
export async function completeAttemptsWithAudits(
  q: Queryable,
  batch: readonly CompletedAttempt[],
  audits: readonly OutboxMessage[],
): Promise<SubscriptionHealth[]> {
  if (batch.length === 0) return [];
  const col = <T>(f: (c: CompletedAttempt) => T) => batch.map(f);
  const perSub = subscriptionStreaks(batch);
  const ids = [...perSub.keys()];
  const [eventIds, exchanges, keys, bodies, headers, mandatory] = outboxColumns(audits);
  const { rows } = await q.query<SubscriptionHealth>(
    COMPLETE_SQL,
    [col((c) => c.delivery.delivery_id), col((c) => c.delivery.attempts),
      col((c) => (c.completion.kind === 'retry' ? 'failed' : c.completion.kind)),
      col((c) => (c.completion.kind === 'retry' ? Math.round(c.completion.delayMs) : 0)),
      col((c) => c.statusCode), col((c) => c.latencyMs), col((c) => c.errorClass), col((c) => c.responseExcerpt), col((c) => c.startedAt),
      ids, ids.map((i) => perSub.get(i)!.ok), ids.map((i) => perSub.get(i)!.failures),
      eventIds, exchanges, keys, bodies, headers, mandatory],
  );
  return rows.filter((r) => r.subscription_id !== null); // the one row of the NOTIFY join when no subscription is touched
}

/** Per subscription: successes reset the failure streak; failures extend it. */
function subscriptionStreaks(batch: readonly CompletedAttempt[]): Map<string, { ok: boolean; failures: number }> {
  const perSub = new Map<string, { ok: boolean; failures: number }>();
  for (const c of batch) {
    const id = c.delivery.subscription_id;
    if (!id || c.errorClass === 'endpoint_disabled') continue;
    const s = perSub.get(id) ?? { ok: false, failures: 0 };
    if (c.completion.kind === 'succeeded') {
      s.ok = true;
      s.failures = 0;
    } else s.failures += 1;
    perSub.set(id, s);
  }
  return perSub;
}

/** Dead-letters every open delivery of an endpoint (it was disabled, or answered 410); returns them. */
export async function deadLetterOpenDeliveries(q: Queryable, endpointKey: string, errorClass: string): Promise<ClaimedDelivery[]> {
  const { rows } = await q.query<ClaimedDelivery>(
    `UPDATE webhook_deliveries SET status = 'dead', dead_at = now(), error_class = $2
      WHERE endpoint_key = $1 AND status IN ('pending', 'failed')
      RETURNING delivery_id, event_id, tenant_scene, job_id, event_type, subscription_id, endpoint_key, target_url,
        seq, attempts, attempt_base, payload_body, traceparent, created_at, NULL::text AS sub_status, NULL::timestamptz AS sub_rotated_at`,
    [endpointKey, errorClass],
  );
  return rows;
}

/** Disables an active subscription; true when this call did it (so it is audited once). */
export async function disableSubscriptionForFailures(q: Queryable, subscriptionId: string, reason: string): Promise<boolean> {
  const r = await q.query(
    `UPDATE webhook_subscriptions SET status = 'disabled', disabled_reason = $2, disabled_at = now()
      WHERE subscription_id = $1 AND status = 'active'`,
    [subscriptionId, reason],
  );
  return (r.rowCount ?? 0) > 0;
}

/** The outbox message of an audit event (CloudEvent dph.audit.<type> on dph.audit). */
export function auditOutboxMessage(data: AuditEventData, source = 'webhook-dispatcher'): OutboxMessage {
  const event = auditCloudEvent(data, source);
  return { eventId: event.id, exchange: EXCHANGES.audit, routingKey: auditRoutingKey(data.eventType), body: Buffer.from(JSON.stringify(event)) };
}

function auditCloudEvent(data: AuditEventData, source: string): CloudEvent<AuditEventData> {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source,
    type: `${EVENT_TYPE_PREFIX.audit}${data.eventType}`,
    time: data.occurredAt,
    ...(data.jobId ? { subject: data.jobId } : {}),
    datacontenttype: 'application/json',
    data,
  };
}

/**
 * Events per batch message (about 60 KB): the audit writer holds up to its batch prefetch of such messages, so
 * this times DPH_AUDIT_BATCH_PREFETCH bounds the events it buffers from the batch queue.
 */
export const AUDIT_BATCH_EVENTS = 100;

/**
 * Outbox messages for many audit events of one type in CloudEvents' JSON batch format: the dispatcher's
 * webhook_delivered events, one per success, travel as one message per AUDIT_BATCH_EVENTS of a recorded batch
 * (a lone event as a plain message). Each message id is the batch's own; the audit writer dedupes on each
 * event's id as always.
 */
export function auditBatchOutboxMessages(data: readonly AuditEventData[], source = 'webhook-dispatcher'): OutboxMessage[] {
  const first = data[0];
  if (!first) return [];
  if (data.some((d) => d.eventType !== first.eventType)) throw new RangeError('a batch holds events of one type');
  const out: OutboxMessage[] = [];
  for (let i = 0; i < data.length; i += AUDIT_BATCH_EVENTS) {
    const part = data.slice(i, i + AUDIT_BATCH_EVENTS);
    out.push(part.length === 1 ? auditOutboxMessage(part[0]!, source) : {
      eventId: randomUUID(),
      exchange: EXCHANGES.audit,
      routingKey: auditBatchRoutingKey(first.eventType),
      body: encodeEventBatch(part.map((d) => auditCloudEvent(d, source))),
      // Mandatory: should the batch queue not exist yet, the relay keeps the row and retries instead of the
      // broker dropping an unroutable batch.
      mandatory: true,
    });
  }
  return out;
}

/**
 * Audit data for a delivery. Carries ids, counts and classes only: never the target URL (its path or query may
 * hold a receiver's token), the body, a header or a secret.
 */
export function deliveryAudit(
  eventType: 'webhook_failed' | 'webhook_delivered' | 'webhook_disabled',
  d: Pick<ClaimedDelivery, 'delivery_id' | 'event_id' | 'job_id' | 'tenant_scene' | 'subscription_id' | 'endpoint_key' | 'attempts' | 'event_type'>
    & { traceparent?: string | null },
  extra: Record<string, unknown> = {},
  actor = 'webhook-dispatcher',
): AuditEventData {
  return {
    eventType,
    jobId: d.job_id,
    tenantScene: d.tenant_scene,
    actor,
    payload: {
      deliveryId: d.delivery_id,
      eventId: d.event_id,
      event: d.event_type,
      subscriptionId: d.subscription_id,
      endpoint: d.subscription_id ? 'subscription' : 'job_callback',
      attempts: d.attempts,
      ...extra,
    },
    traceId: traceIdOf(d.traceparent),
    occurredAt: new Date().toISOString(),
  };
}

