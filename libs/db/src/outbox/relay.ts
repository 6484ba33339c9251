/**
 * The outbox relay: takes unpublished rows with FOR UPDATE SKIP LOCKED (so replicas share the backlog without
 * publishing the same row twice at the same time), publishes each on a confirm channel, and marks only the
 * confirmed rows published, in the same transaction that locked them. A relay that dies mid-batch leaves its
 * rows unmarked; the next relay publishes them again: at-least-once, never lost. Consumers dedupe on event id.
 */
import { isDphError } from '@dph/errors';
import type { ConfirmedPublisher, OutgoingMessage } from '@dph/contracts';
import type pg from 'pg';
import { poolBackendPids, type Pool } from '../pool.js';
import { prepared } from '../query.js';
import { withTransaction } from '../transaction.js';
import { OUTBOX_CHANNEL } from './enqueue.js';
import { cleanupOutbox } from './maintenance.js';

export interface RelayMetrics {
  /** Rows confirmed by the broker and marked. */
  published?(count: number): void;
  /** Rows whose publish failed (they stay pending with a backoff). */
  failed?(count: number): void;
  /** Rows given up on after maxAttempts or a non-retryable error (parked, see OutboxRelayOptions.onParked). */
  parked?(count: number): void;
  /** Seconds from the row's creation to its confirm, per published row. */
  lagSeconds?(seconds: number): void;
  batchDurationMs?(ms: number): void;
  /** Whole relay loop errors (database or broker unreachable). */
  loopError?(): void;
}

export interface ParkedRow {
  id: string;
  eventId: string;
  exchange: string;
  routingKey: string;
  attempts: number;
  error: unknown;
}

export interface OutboxRelayOptions {
  pool: Pool;
  publisher: ConfirmedPublisher;
  /** A factory for the dedicated LISTEN connection (createClient with the service's settings). */
  listenClient?: () => pg.Client;
  batchSize?: number;
  /** Polling fallback: how often the relay looks even without a NOTIFY. */
  pollIntervalMs?: number;
  /**
   * Which NOTIFYs wake the relay at once. 'own' (default): only those sent by a connection of `pool`, i.e. rows
   * this process wrote; another process's rows are its own relay's job, and reach this one only through the poll
   * (when their writer died before relaying them). Every relay on the channel waking for every commit anywhere
   * cost each service a lock-and-find-nothing transaction per foreign commit. 'all': any NOTIFY on the channel
   * (a relay serving writers outside its pool, or a pool not made by createPool, which is always treated so).
   */
  wakeOn?: 'own' | 'all';
  /**
   * Gathers NOTIFYs for this long before taking a batch (default 0: every NOTIFY wakes the relay at once). Under a
   * steady stream of commits a small window (a few ms) turns one transaction per NOTIFY into one per window.
   */
  notifyDelayMs?: number;
  /** Loop backoff after a database or broker failure: exponential from min to max, with jitter. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Per-row retries before the row is parked (available_at = infinity, last_error kept for operators). */
  maxAttempts?: number;
  /** Delete published rows older than this (ms); undefined keeps them. */
  retentionMs?: number;
  cleanupIntervalMs?: number;
  metrics?: RelayMetrics;
  /** Called after a row is parked, e.g. to fail the job whose parse task no queue accepted. */
  onParked?: (row: ParkedRow) => Promise<void> | void;
  /** Value-free log hook: event names and counts only. */
  log?: (event: string, fields?: Record<string, unknown>) => void;
}

// The two statements of every batch, prepared (see PreparedSql).
const TAKE_SQL = prepared('dph_outbox_take', `SELECT id, event_id, exchange, routing_key, body, headers, mandatory, attempts, created_at
   FROM public.outbox
  WHERE published_at IS NULL AND available_at <= now()
  ORDER BY id
  LIMIT $1
  FOR UPDATE SKIP LOCKED`);
const MARK_SQL = prepared('dph_outbox_mark',
  'UPDATE public.outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[])');

interface OutboxRow {
  id: string;
  event_id: string;
  exchange: string;
  routing_key: string;
  body: Buffer;
  headers: Record<string, string>;
  mandatory: boolean;
  attempts: number;
  created_at: Date;
}

/** Exponential backoff with full jitter; the relay's own schedule, small enough not to need a library. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 20));
  return Math.round(minMs + Math.random() * (ceiling - minMs));
}

export class OutboxRelay {
  private readonly o: Required<
    Pick<OutboxRelayOptions, 'batchSize' | 'pollIntervalMs' | 'backoffMinMs' | 'backoffMaxMs' | 'maxAttempts' | 'cleanupIntervalMs'>
  > &
    OutboxRelayOptions;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private woken = false;
  private listener: pg.Client | undefined;
  private listenerRetry: NodeJS.Timeout | undefined;
  private notifyTimer: NodeJS.Timeout | undefined;
  private lastCleanup = 0;
  private consecutiveErrors = 0;

  constructor(options: OutboxRelayOptions) {
    this.o = {
      batchSize: 200,
      pollIntervalMs: 1_000,
      backoffMinMs: 200,
      backoffMaxMs: 30_000,
      maxAttempts: 20,
      cleanupIntervalMs: 60_000,
      ...options,
    };
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.o.listenClient) void this.connectListener();
    this.loop = this.run();
  }

  /** Finishes the batch in flight (its confirms and marks), then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    clearTimeout(this.listenerRetry);
    clearTimeout(this.notifyTimer);
    await this.loop;
    const l = this.listener;
    this.listener = undefined;
    if (l) await l.end().catch(() => undefined);
  }

  /** Wakes the loop now (the NOTIFY handler calls this; tests and callers may too). */
  kick(): void {
    this.woken = true;
    this.wake?.();
  }

  private wakesFor(senderPid: number): boolean {
    if (this.o.wakeOn === 'all') return true;
    const own = poolBackendPids(this.o.pool);
    return own === undefined || own.has(senderPid);
  }

  private onNotify(): void {
    const delay = this.o.notifyDelayMs ?? 0;
    if (delay <= 0) return this.kick();
    this.notifyTimer ??= setTimeout(() => {
      this.notifyTimer = undefined;
      this.kick();
    }, delay);
  }

  private async connectListener(): Promise<void> {
    if (!this.running || !this.o.listenClient) return;
    const client = this.o.listenClient();
    const retry = () => {
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
      if (this.running) this.listenerRetry = setTimeout(() => void this.connectListener(), this.o.pollIntervalMs * 5);
    };
    client.on('error', retry);
    client.on('notification', (n) => {
      if (this.wakesFor(n.processId)) this.onNotify();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.listener = client;
      // Rows may have arrived while the listener was down.
      this.kick();
    } catch {
      this.o.log?.('outbox_listen_failed');
      retry();
    }
  }

  private async sleep(ms: number): Promise<void> {
    if (!this.woken && this.running) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.wake = undefined;
          resolve();
        }, ms);
        this.wake = () => {
          this.wake = undefined;
          clearTimeout(t);
          resolve();
        };
      });
    }
    this.woken = false;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let n: number;
      try {
        n = await this.runOnce();
        this.consecutiveErrors = 0;
        await this.maybeCleanup();
      } catch {
        this.consecutiveErrors++;
        this.o.metrics?.loopError?.();
        this.o.log?.('outbox_relay_error', { consecutive: this.consecutiveErrors });
        await this.backoff();
        continue;
      }
      if (n < this.o.batchSize) await this.sleep(this.o.pollIntervalMs);
    }
  }

  private async backoff(): Promise<void> {
    const ms = backoffDelay(this.consecutiveErrors, this.o.backoffMinMs, this.o.backoffMaxMs);
    // A NOTIFY must not cut a broker backoff short, so wait without the wake hook.
    await new Promise((r) => setTimeout(r, ms));
  }

  private async maybeCleanup(): Promise<void> {
    if (this.o.retentionMs === undefined) return;
    const now = Date.now();
    if (now - this.lastCleanup < this.o.cleanupIntervalMs) return;
    this.lastCleanup = now;
    const removed = await cleanupOutbox(this.o.pool, { retentionMs: this.o.retentionMs });
    if (removed > 0) this.o.log?.('outbox_cleanup', { removed });
  }

  /**
   * One batch: lock, publish, mark, commit. Returns the number of rows taken. Throws (after rolling back, rows
   * untouched) when every publish of a non-empty batch failed: that is a broker outage, not a row problem.
   */
  async runOnce(): Promise<number> {
    const started = performance.now();
    const parked: ParkedRow[] = [];
    const taken = await withTransaction(this.o.pool, async (client) => {
      const { rows } = await client.query<OutboxRow>(TAKE_SQL, [this.o.batchSize]);
      if (rows.length === 0) return 0;
      // Publishes are pipelined on the confirm channel; each promise settles with its own confirm.
      const results = await Promise.allSettled(rows.map((r) => this.o.publisher.publish(toMessage(r))));
      const ok: string[] = [];
      const failed: { row: OutboxRow; error: unknown }[] = [];
      results.forEach((res, i) => {
        const row = rows[i]!;
        if (res.status === 'fulfilled') ok.push(row.id);
        else failed.push({ row, error: res.reason });
      });
      if (ok.length === 0 && failed.every((f) => !isPermanent(f.error))) {
        throw new Error('broker rejected or did not confirm any message of the batch');
      }
      if (ok.length > 0) {
        await client.query(MARK_SQL, [ok]);
      }
      for (const f of failed) {
        const attempts = f.row.attempts + 1;
        const park = isPermanent(f.error) || attempts >= this.o.maxAttempts;
        const delayMs = backoffDelay(attempts, this.o.backoffMinMs, this.o.backoffMaxMs);
        await client.query(
          `UPDATE public.outbox
              SET attempts = $2, last_error = $3,
                  available_at = CASE WHEN $4 THEN 'infinity'::timestamptz ELSE now() + make_interval(secs => $5) END
            WHERE id = $1`,
          [f.row.id, attempts, errorLabel(f.error), park, delayMs / 1000],
        );
        if (park) {
          parked.push({
            id: f.row.id,
            eventId: f.row.event_id,
            exchange: f.row.exchange,
            routingKey: f.row.routing_key,
            attempts,
            error: f.error,
          });
        }
      }
      const now = Date.now();
      const okSet = new Set(ok);
      for (const r of rows) {
        if (okSet.has(r.id)) this.o.metrics?.lagSeconds?.((now - r.created_at.getTime()) / 1000);
      }
      this.o.metrics?.published?.(ok.length);
      if (failed.length > 0) this.o.metrics?.failed?.(failed.length - parked.length);
      if (parked.length > 0) this.o.metrics?.parked?.(parked.length);
      return rows.length;
    });
    this.o.metrics?.batchDurationMs?.(performance.now() - started);
    for (const p of parked) {
      this.o.log?.('outbox_row_parked', { id: p.id, routingKey: p.routingKey, attempts: p.attempts });
      await this.o.onParked?.(p);
    }
    return taken;
  }
}

function toMessage(r: OutboxRow): OutgoingMessage {
  return {
    exchange: r.exchange,
    routingKey: r.routing_key,
    body: r.body,
    headers: r.headers,
    messageId: r.event_id,
    mandatory: r.mandatory,
  };
}

/** A DphError marked non-retryable (e.g. unroutable mandatory message) will not succeed by retrying. */
function isPermanent(err: unknown): boolean {
  return isDphError(err) && !err.retryable;
}

/** Stored in last_error: the stable code only, never a broker message that could echo content. */
function errorLabel(err: unknown): string {
  if (isDphError(err)) return err.code;
  if (err instanceof Error) return err.name;
  return 'unknown';
}
