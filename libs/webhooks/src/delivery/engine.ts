/**
 * The delivery loop: claim due deliveries, sign, send through the egress guard, record the outcome in batches,
 * dead-letter after the retry budget, disable endpoints that answer 410 or keep failing. The consumer of job
 * events only records deliveries (recordEventDeliveries) and kicks this loop.
 */
import type { Dispatcher } from 'undici';
import type { OutboxMessage, Queryable } from '@dph/db';
import type { AuditEventData } from '@dph/contracts';
import { toCidrs, type Cidr } from '@dph/egress';
import { signWebhook } from '../sign.js';
import type { SecretStorage } from '../subscriptions/secrets.js';
import { judgeResponse, backoffMs, DEFAULT_RETRY_POLICY, type AttemptVerdict, type RetryPolicy } from './retry-policy.js';
import { sendWebhook, type AttemptResult } from './sender.js';
import { TERMINAL_SEQ } from './payload.js';
import { SigningSecretCache } from './secret-cache.js';
import { EndpointSlots, type EndpointRoom } from './endpoint-slots.js';
import {
  auditBatchOutboxMessages, auditOutboxMessage, claimDue, completeAttemptsWithAudits, deadLetterOpenDeliveries, deliveryAudit,
  DEFAULT_ORDER_HOLD_MS, disableSubscriptionForFailures, sweepJobProgress, type ClaimedDelivery, type CompletedAttempt,
} from './store.js';

export interface EngineDb {
  /** Autocommit reads (secret loads). */
  q: Queryable;
  /**
   * One transaction. The engine asks for `durable: false` on claims and completions: implementations may then
   * skip the WAL flush at commit (synchronous_commit = off). That is safe here because losing such a commit in a
   * database crash only makes a delivery due again, and a repeated delivery is the at-least-once contract
   * (same webhook-id). Intake of events (the consumer side) stays durable, since the broker message is acked
   * after it.
   */
  tx<T>(fn: (q: Queryable) => Promise<T>, opts?: { durable: boolean }): Promise<T>;
  enqueueOutbox(q: Queryable, messages: readonly OutboxMessage[]): Promise<void>;
}

export type AttemptOutcome = 'succeeded' | 'retry' | 'dead' | 'gone' | 'endpoint_disabled';

export interface EngineHooks {
  attempt?(outcome: AttemptOutcome, errorClass: string | null, latencyMs: number): void;
  deadLettered?(count: number): void;
  endpointDisabled?(reason: string): void;
  /** Time from the delivery's creation to the start of its first attempt. */
  firstAttemptLagMs?(ms: number): void;
  /** Deliveries claimed out of order because an earlier event of their job was not recorded within the hold. */
  orderReleased?(count: number): void;
  error?(where: string, err: unknown): void;
}

export interface EngineOptions {
  db: EngineDb;
  storage: SecretStorage;
  /** The egress-guarded undici agent. */
  dispatcher: Dispatcher;
  allowHttp: boolean;
  allowCidrs?: string | readonly string[];
  policy?: Partial<RetryPolicy>;
  timeoutMs?: number;
  concurrency?: number;
  /**
   * Most deliveries of one endpoint held at a time (in flight or waiting), so one slow endpoint cannot take all;
   * 0 (the default): no per-endpoint share.
   */
  endpointConcurrency?: number;
  /** Most deliveries taken per claim (one statement). */
  batchSize?: number;
  /** How long a claimed delivery stays invisible to other claims: longer than one attempt can take. */
  leaseMs?: number;
  pollIntervalMs?: number;
  /** Sustained failure: this many failed attempts in a row, and no success within disableAfterMs, disables. */
  disableAfterFailures?: number;
  disableAfterMs?: number;
  hooks?: EngineHooks;
  /** Claim only this scene's deliveries (scene-sharded dispatchers; tests sharing a database). */
  onlyScene?: string | null;
  /** How long a delivery waits for an earlier event of its job that no dispatcher has recorded yet. */
  orderHoldMs?: number;
}

/** Finished attempts are recorded in batches of up to FLUSH_MAX, at most FLUSH_WAIT_MS after the first. */
const FLUSH_MAX = 500;
const FLUSH_WAIT_MS = 20;
/** How often the claim loop deletes job progress rows no delivery needs any more. */
const SWEEP_EVERY_MS = 60_000;

export class DeliveryEngine {
  private readonly o: Required<Omit<EngineOptions, 'allowCidrs' | 'policy' | 'hooks'>> & Pick<EngineOptions, 'allowCidrs' | 'hooks'>;
  private readonly policy: RetryPolicy;
  private readonly secrets: SigningSecretCache;
  /** The egress allowlist, parsed once (IP-literal targets are vetted against it at every attempt). */
  private readonly allowCidrs: readonly Cidr[];
  private running = false;
  private loopDone: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly ready: ClaimedDelivery[] = [];
  private readonly slots: EndpointSlots;
  private wakeUp: (() => void) | undefined;
  private kicked = false;
  private pending: CompletedAttempt[] = [];
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(opts: EngineOptions) {
    const timeoutMs = opts.timeoutMs ?? 15_000;
    this.o = {
      timeoutMs,
      concurrency: 256,
      endpointConcurrency: 0,
      batchSize: 128,
      leaseMs: timeoutMs + 15_000,
      pollIntervalMs: 500,
      disableAfterFailures: 100,
      disableAfterMs: 24 * 3600_000,
      onlyScene: null,
      orderHoldMs: DEFAULT_ORDER_HOLD_MS,
      ...opts,
    } as typeof this.o;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.policy };
    this.secrets = new SigningSecretCache(opts.db.q, opts.storage);
    this.allowCidrs = toCidrs(opts.allowCidrs);
    this.slots = new EndpointSlots(this.o.endpointConcurrency);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops claiming, lets in-flight attempts finish (bounded by their timeout) and records them. */
  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    await this.loopDone;
    // Claimed but not started: left to their lease (another dispatcher, or this one after restart, takes them).
    this.ready.length = 0;
    this.slots.dropWaiting();
    await Promise.allSettled([...this.inFlight]);
    await this.flush();
  }

  kick(): void {
    this.kicked = true;
    this.wakeUp?.();
  }

  /** The lease a fast-path intake must use (same as claims). */
  get leaseMs(): number {
    return this.o.leaseMs;
  }

  get onlyScene(): string | null {
    return this.o.onlyScene;
  }

  /** Sends deliveries the intake already claimed (see intakeDeliveries' fast path). */
  deliverClaimed(rows: readonly ClaimedDelivery[]): void {
    for (const d of rows) this.slots.accept(d);
    this.ready.push(...rows);
    this.drainReady();
  }

  /** How many more deliveries each busy endpoint may take (for claims and fast-path intakes). */
  endpointRoom(): EndpointRoom {
    return this.slots.room();
  }

  /**
   * Starts claimed deliveries up to the concurrency; the rest wait in memory (their lease covers the wait), and so
   * do those whose endpoint has its whole share in flight.
   */
  private drainReady(): void {
    while (this.ready.length > 0 && this.inFlight.size < this.o.concurrency) {
      const d = this.ready.shift()!;
      if (this.slots.tryStart(d)) this.launch(d);
    }
  }

  private launch(d: ClaimedDelivery): void {
    const lowWater = Math.max(1, Math.floor(this.o.concurrency / 2));
    const p = this.attempt(d).catch((err: unknown) => this.o.hooks?.error?.('attempt', err));
    this.inFlight.add(p);
    void p.finally(() => {
      this.inFlight.delete(p);
      const { next, reopened } = this.slots.finish(d);
      if (next && this.running) this.launch(next);
      if (reopened) this.kick(); // rows of this endpoint were left due while it had its whole share
      if (this.ready.length > 0) this.drainReady();
      else if (this.o.concurrency - this.inFlight.size === lowWater) this.wakeUp?.();
    });
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Claims in batches: a claim is one round trip whatever its size, so the loop refills only when in-flight
   * attempts fall to half the concurrency (or when kicked), instead of claiming a row per finished attempt.
   */
  private async loop(): Promise<void> {
    let errors = 0;
    let sweptAt = 0;
    const lowWater = Math.max(1, Math.floor(this.o.concurrency / 2));
    while (this.running) {
      if (Date.now() - sweptAt >= SWEEP_EVERY_MS) {
        sweptAt = Date.now();
        await sweepJobProgress(this.o.db.q, this.o.orderHoldMs).catch((err: unknown) => this.o.hooks?.error?.('sweep', err));
      }
      const free = this.o.concurrency - this.inFlight.size - this.ready.length;
      let claimed: ClaimedDelivery[] = [];
      if (free >= lowWater || (this.kicked && free > 0)) {
        this.kicked = false;
        try {
          const room = this.slots.room();
          claimed = await this.o.db.tx((q) => claimDue(q, Math.min(free, this.o.batchSize), this.o.leaseMs, this.o.onlyScene, this.o.orderHoldMs, room), { durable: false });
          errors = 0;
          const released = claimed.filter((d) => d.order_released).length;
          if (released) this.o.hooks?.orderReleased?.(released);
        } catch (err) {
          this.o.hooks?.error?.('claim', err);
          errors++;
        }
        for (const d of claimed) {
          this.slots.accept(d);
          if (this.slots.tryStart(d)) this.launch(d);
        }
        // More may be due: the claim was full, or an endpoint reached its share (the next claim passes it over).
        if (claimed.length > 0 && (claimed.length === Math.min(free, this.o.batchSize) || claimed.some((d) => this.slots.full(d.endpoint_key)))) continue;
        if (this.kicked && errors === 0) continue;
      }
      const wait = errors ? Math.min(100 * 2 ** errors, 5_000) : this.o.pollIntervalMs;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  private async attempt(d: ClaimedDelivery): Promise<void> {
    const startedAt = new Date();
    if (d.attempts === 1) this.o.hooks?.firstAttemptLagMs?.(startedAt.getTime() - d.created_at.getTime());
    if (d.subscription_id && d.sub_status !== 'active') {
      this.complete(d, startedAt, { statusCode: null, latencyMs: 0, errorClass: 'endpoint_disabled', responseExcerpt: null, retryAfter: undefined }, 'endpoint_disabled');
      return;
    }
    const result = await this.send(d);
    const verdict: AttemptVerdict = result.statusCode === null || result.errorClass === 'redirect'
      ? { kind: 'retry' }
      : judgeResponse(result.statusCode, result.retryAfter, this.policy);
    if (verdict.kind === 'success') return this.complete(d, startedAt, result, 'succeeded');
    if (verdict.kind === 'gone') return this.complete(d, startedAt, { ...result, errorClass: 'gone' }, 'gone');
    const round = d.attempts - d.attempt_base;
    if (round >= this.policy.maxAttempts) return this.complete(d, startedAt, result, 'dead');
    const delayMs = verdict.retryAfterMs ?? backoffMs(round, this.policy);
    this.complete(d, startedAt, result, 'retry', delayMs);
  }

  /**
   * Signs and sends one attempt. The request carries the trace the job event was consumed under (kept on the
   * delivery row) as `traceparent`, so a receiver's own tracing joins the job's trace. No span of its own per
   * attempt: the attempt is recorded in webhook_attempts, and a span each cost more CPU than the HMACs.
   */
  private async send(d: ClaimedDelivery): Promise<AttemptResult> {
    try {
      const secrets = await this.secrets.secretsFor(d);
      const body = d.payload_body ?? '{}';
      const headers = signWebhook({ id: d.event_id, timestamp: Math.floor(Date.now() / 1000), body, secrets });
      if (d.traceparent) headers.traceparent = d.traceparent;
      return await sendWebhook({
        url: d.target_url, body, headers, timeoutMs: this.o.timeoutMs, dispatcher: this.o.dispatcher,
        allowHttp: this.o.allowHttp, allowCidrs: this.allowCidrs,
      });
    } catch (err) {
      this.o.hooks?.error?.('sign', err);
      return { statusCode: null, latencyMs: 0, errorClass: 'secret_unavailable', responseExcerpt: null, retryAfter: undefined };
    }
  }

  private complete(d: ClaimedDelivery, startedAt: Date, r: AttemptResult, outcome: AttemptOutcome, delayMs = 0): void {
    this.o.hooks?.attempt?.(outcome, r.errorClass, r.latencyMs);
    this.pending.push({
      delivery: d,
      startedAt,
      statusCode: r.statusCode,
      latencyMs: r.latencyMs,
      errorClass: r.errorClass,
      responseExcerpt: r.responseExcerpt,
      completion: outcome === 'succeeded' ? { kind: 'succeeded' } : outcome === 'retry' ? { kind: 'retry', delayMs } : { kind: 'dead' },
    });
    // Recording waits a little to batch: it is off the path to the receiver (a claimed delivery's lease covers
    // the wait), and each flush costs a transaction whatever its size.
    if (this.pending.length >= FLUSH_MAX) void this.flush();
    else if (!this.flushTimer) this.flushTimer = setTimeout(() => void this.flush(), FLUSH_WAIT_MS);
  }

  /**
   * Writes finished attempts; one flush at a time, later ones queue behind it. Attempts that finish while a flush
   * runs wait for their own timer (or FLUSH_MAX) rather than being written the moment it ends, so that below full
   * load a flush carries FLUSH_WAIT_MS of completions instead of the few that finished during one statement.
   */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const run = async (): Promise<void> => {
      while (this.pending.length > 0 && (this.flushTimer === undefined || this.pending.length >= FLUSH_MAX || !this.running)) {
        const batch = this.pending;
        this.pending = [];
        try {
          await this.o.db.tx((q) => this.record(q, batch), { durable: false });
          // A later event of the same job may wait behind a finished one: claim it now. Nothing waits behind a
          // terminal event or a retry (still open), so those do not cost a claim.
          if (batch.some((c) => c.completion.kind !== 'retry' && c.delivery.seq < TERMINAL_SEQ)) this.kick();
        } catch (err) {
          this.o.hooks?.error?.('complete', err);
          // Keep them; leases make the rows due again if this process dies before a later flush succeeds.
          this.pending = batch.concat(this.pending);
          await new Promise((r) => setTimeout(r, 500));
          if (!this.running && this.inFlight.size === 0) break;
        }
      }
    };
    this.flushing = (this.flushing ?? Promise.resolve()).then(run, run);
    return this.flushing;
  }

  private async record(q: Queryable, batch: CompletedAttempt[]): Promise<void> {
    const delivered: AuditEventData[] = [];
    const failed: AuditEventData[] = [];
    let dead = 0;
    for (const c of batch) {
      if (c.completion.kind === 'succeeded') {
        delivered.push(deliveryAudit('webhook_delivered', c.delivery, { statusCode: c.statusCode }));
        continue;
      }
      if (c.completion.kind !== 'dead') continue;
      dead++;
      failed.push(deliveryAudit('webhook_failed', c.delivery, { lastStatusCode: c.statusCode, errorClass: c.errorClass }));
    }
    // The successes' audit events go as batch messages (one outbox row and one broker message per 100 of them);
    // the rare failures each as their own. Attempts, deliveries' state, failure streaks and these: one statement.
    const messages = [...auditBatchOutboxMessages(delivered), ...failed.map((a) => auditOutboxMessage(a))];
    const health = await completeAttemptsWithAudits(q, batch, messages);
    const audits: AuditEventData[] = [];
    const disable = async (endpointKey: string, subscriptionId: string | null, reason: string, sample: ClaimedDelivery) => {
      if (subscriptionId && !(await disableSubscriptionForFailures(q, subscriptionId, reason))) return;
      this.o.hooks?.endpointDisabled?.(reason);
      if (subscriptionId) audits.push({ ...deliveryAudit('webhook_disabled', sample, { reason }), jobId: null });
      for (const o of await deadLetterOpenDeliveries(q, endpointKey, 'endpoint_disabled')) {
        dead++;
        audits.push(deliveryAudit('webhook_failed', o, { errorClass: 'endpoint_disabled' }));
      }
    };
    for (const c of batch) {
      if (c.errorClass === 'gone') await disable(c.delivery.endpoint_key, c.delivery.subscription_id, 'gone', c.delivery);
    }
    const now = Date.now();
    for (const h of health) {
      const lastOk = h.last_success_at?.getTime() ?? h.created_at.getTime();
      if (h.consecutive_failures >= this.o.disableAfterFailures && now - lastOk >= this.o.disableAfterMs) {
        const sample = batch.find((c) => c.delivery.subscription_id === h.subscription_id)!.delivery;
        await disable(sample.endpoint_key, h.subscription_id, 'sustained_failure', sample);
      }
    }
    if (audits.length) await this.o.db.enqueueOutbox(q, audits.map((a) => auditOutboxMessage(a)));
    if (dead) this.o.hooks?.deadLettered?.(dead);
  }
}
