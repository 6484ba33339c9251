/**
 * The audit-writer's consumer: a message holds one event or a CloudEvents JSON batch of them (the dispatcher
 * sends its webhook_delivered events so); events are validated and screened one by one as they arrive, gathered into
 * batches (by size, or after flushIntervalMs), appended to the hash chain in one transaction per batch
 * (appendAuditRows: the chain is computed here under the chain lock, one INSERT), and acknowledged with one
 * multiple-ack only after the commit. One batch is in flight at a time: that keeps the multiple-ack from ever
 * covering a later, uncommitted batch, and matches the database, where chain appends are serialised anyway.
 * Meanwhile the next batch fills, bounded by the channel's prefetch, which bounds memory under backpressure.
 *
 * Failures: a database outage retries the same batch with backoff while its messages stay unacked (if the
 * channel dies meanwhile, the broker redelivers them and ON CONFLICT makes the second write a no-op). A batch
 * the database refuses is retried row by row; each refused row goes to the dead-letter queue alone. Events that
 * are malformed or cross the red line are dead-lettered at once, never written.
 *
 * The shared consume() helper of @dph/messaging runs a handler per message (coalescing the acks of those that
 * finish together); gathering messages into one database batch is specific to this writer, hence a dedicated
 * loop on a raw channel.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import { appendAuditRows, auditRowFromEvent, checkAuditPayload, type AuditRow, type PiiScan } from '@dph/audit';
import type { Pool } from '@dph/db';
import { parseEvents, type ChannelSource } from '@dph/messaging';
import { isTransientDbError } from './transient.js';

export type RefusalReason = 'malformed' | 'invalid_event' | 'type_mismatch' | 'red_line' | 'db_rejected';

export interface IngestMetrics {
  received?(): void;
  written?(rows: number): void;
  duplicates?(rows: number): void;
  refused?(reason: RefusalReason): void;
  batch?(size: number, durationMs: number): void;
  /** Seconds from the event's occurrence to its commit. */
  lagSeconds?(seconds: number): void;
  dbRetry?(): void;
}

export interface IngestLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AuditIngestOptions {
  connection: ChannelSource;
  pool: Pool;
  queue: string;
  /** Unacked messages on the channel: the bound on buffered events. */
  prefetch?: number;
  batchSize?: number;
  flushIntervalMs?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  scan?: PiiScan;
  /** Events waiting with no commit for this long count as a stalled ingest (see stalled()). */
  stallAfterMs?: number;
  metrics?: IngestMetrics;
  log: IngestLogger;
}

interface Pending {
  msg: ConsumeMessage;
  ch: Channel;
  row: AuditRow;
}

/**
 * Takes the next database batch off the front of the buffer: up to `size` rows, extended to the end of the
 * message it stops in, since the multiple-ack after its commit covers whole messages only (acking a message whose
 * last events wait for the next commit would lose them in a crash).
 */
export function takeBatch<T extends { msg: unknown }>(buffer: T[], size: number): T[] {
  const batch = buffer.splice(0, size);
  const last = batch[batch.length - 1];
  let n = 0;
  while (n < buffer.length && buffer[n]!.msg === last?.msg) n++;
  return n > 0 ? batch.concat(buffer.splice(0, n)) : batch;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class AuditIngest {
  private readonly prefetch: number;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private ch: Channel | undefined;
  private tag: string | undefined;
  private buffer: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private resubscribeTimer: NodeJS.Timeout | undefined;
  private resubscribeAttempt = 0;
  private stopped = false;
  /** Set when shutdown gives up on a batch the database will not take: leave it unacked for redelivery. */
  private abandon = false;
  private readonly stallAfterMs: number;
  /** Last commit, or when events started waiting after an idle spell, whichever is later. */
  private progressAt = Date.now();
  private inFlight = 0;

  constructor(private readonly o: AuditIngestOptions) {
    this.prefetch = o.prefetch ?? 4_000;
    this.batchSize = o.batchSize ?? 1_000;
    this.flushIntervalMs = o.flushIntervalMs ?? 50;
    this.retryMinMs = o.retryMinMs ?? 200;
    this.retryMaxMs = o.retryMaxMs ?? 10_000;
    this.stallAfterMs = o.stallAfterMs ?? 30_000;
  }

  healthy(): boolean {
    return !this.stopped && this.tag !== undefined;
  }

  /**
   * Events are waiting (buffered or in a batch being written) and nothing has committed for stallAfterMs: the
   * database refuses or hangs, or a batch is stuck in retries. Readiness reports it.
   */
  stalled(now = Date.now()): boolean {
    return (this.buffer.length > 0 || this.inFlight > 0) && now - this.progressAt > this.stallAfterMs;
  }

  get buffered(): number {
    return this.buffer.length;
  }

  async start(): Promise<void> {
    await this.subscribe();
  }

  /** Stops deliveries, writes what is buffered (up to timeoutMs), then closes the channel. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.resubscribeTimer);
    const ch = this.ch;
    if (ch && this.tag) await ch.cancel(this.tag).catch(() => undefined);
    this.tag = undefined;
    const drained = this.flush();
    const timedOut = await Promise.race([drained.then(() => false), sleep(timeoutMs).then(() => true)]);
    if (timedOut) {
      this.abandon = true;
      this.o.log.warn({ buffered: this.buffer.length }, 'shutdown: unwritten audit events left unacked for redelivery');
    }
    clearTimeout(this.timer);
    this.buffer = [];
    if (ch) await ch.close().catch(() => undefined);
  }

  private async subscribe(): Promise<void> {
    const ch = await this.o.connection.createChannel();
    ch.on('error', (err: Error) => this.o.log.warn({ errName: err.name }, 'audit consumer channel error'));
    ch.on('close', () => {
      if (this.ch !== ch) return;
      this.ch = undefined;
      this.tag = undefined;
      // Unacked deliveries of a closed channel return to the queue; buffered copies must not be acked elsewhere.
      this.buffer = this.buffer.filter((p) => p.ch !== ch);
      this.scheduleResubscribe();
    });
    await ch.prefetch(this.prefetch);
    this.ch = ch;
    const ok = await ch.consume(this.o.queue, (msg) => this.onMessage(ch, msg), { noAck: false });
    this.tag = ok.consumerTag;
    this.resubscribeAttempt = 0;
  }

  private scheduleResubscribe(): void {
    if (this.stopped || this.resubscribeTimer) return;
    const delay = Math.min(250 * 2 ** this.resubscribeAttempt++, 10_000);
    this.resubscribeTimer = setTimeout(() => {
      this.resubscribeTimer = undefined;
      if (this.stopped) return;
      this.subscribe().catch(() => this.scheduleResubscribe());
    }, delay);
    this.resubscribeTimer.unref();
  }

  private refuse(ch: Channel, msg: ConsumeMessage, reason: RefusalReason, fields: object = {}): void {
    this.o.metrics?.refused?.(reason);
    this.o.log.warn({ reason, ...fields }, 'audit event refused to the dead-letter queue');
    try {
      ch.nack(msg, false, false);
    } catch {
      /* channel closed: the broker redelivers and the event is judged again */
    }
  }

  private onMessage(ch: Channel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // Broker-side cancel (queue deleted or moved): re-subscribe on a fresh channel.
      this.o.log.warn({ queue: this.o.queue }, 'broker cancelled the audit consumer; re-subscribing');
      this.tag = undefined;
      void ch.close().catch(() => undefined);
      return;
    }
    let events;
    try {
      events = parseEvents(msg.content);
    } catch {
      this.o.metrics?.received?.();
      this.refuse(ch, msg, 'malformed');
      return;
    }
    // A message is one event or a batch of them; it is taken or refused whole, so a batch never lands half.
    const rows: AuditRow[] = [];
    for (const event of events) {
      this.o.metrics?.received?.();
      const res = auditRowFromEvent(event);
      if (!res.ok) {
        this.refuse(ch, msg, res.problem, { field: res.field, events: events.length });
        return;
      }
      const violations = checkAuditPayload(res.row.payload, this.o.scan);
      if (violations.length > 0) {
        // Paths and reasons only: the offending value is never logged.
        const v = violations[0]!;
        this.refuse(ch, msg, 'red_line', { eventType: res.row.eventType, path: v.path, check: v.reason, entityType: v.entityType, events: events.length });
        return;
      }
      rows.push(res.row);
    }
    if (this.buffer.length === 0 && this.inFlight === 0) this.progressAt = Date.now();
    for (const row of rows) this.buffer.push({ msg, ch, row });
    if (this.buffer.length >= this.batchSize) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs);
  }

  /** Writes buffered events until the buffer is empty; one batch in flight at a time. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing ??= (async () => {
      try {
        await Promise.resolve(); // yield once, so `??=` stores this promise before `finally` can clear it
        while (this.buffer.length > 0 && !this.abandon) {
          const batch = takeBatch(this.buffer, this.batchSize);
          this.inFlight = batch.length;
          try {
            await this.writeBatch(batch);
          } finally {
            this.inFlight = 0;
          }
        }
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      const live = batch.filter((p) => p.ch === this.ch);
      if (live.length === 0 || this.abandon) return;
      try {
        const written = await appendAuditRows(this.o.pool, live.map((p) => p.row));
        this.ackUpTo(live[live.length - 1]!);
        this.recordWritten(live, written, started);
        return;
      } catch (err) {
        if (!isTransientDbError(err)) {
          await this.writeOneByOne(live);
          return;
        }
        this.o.metrics?.dbRetry?.();
        this.o.log.warn({ attempt, size: live.length }, 'audit batch insert failed; retrying');
        await sleep(Math.min(this.retryMaxMs, this.retryMinMs * 2 ** Math.min(attempt, 10)));
      }
    }
  }

  /**
   * Isolates the message(s) whose rows the database refuses; the rest are written and acked message by message.
   * A refused batch message is dead-lettered whole (rows of it already written are not written twice when it is
   * replayed: ON CONFLICT on the event id).
   */
  private async writeOneByOne(batch: Pending[]): Promise<void> {
    const byMessage = new Map<ConsumeMessage, Pending[]>();
    for (const p of batch) byMessage.set(p.msg, [...(byMessage.get(p.msg) ?? []), p]);
    for (const group of byMessage.values()) {
      const started = performance.now();
      try {
        const written = await appendAuditRows(this.o.pool, group.map((p) => p.row));
        this.settle(group[0]!, 'ack');
        this.recordWritten(group, written, started);
      } catch (err) {
        if (isTransientDbError(err)) {
          // Leave the rest unacked: the next batch or a redelivery takes them.
          this.settle(group[0]!, 'requeue');
          continue;
        }
        this.o.metrics?.refused?.('db_rejected');
        this.o.log.warn({ eventType: group[0]!.row.eventType, events: group.length }, 'audit message refused by the database; dead-lettered');
        this.settle(group[0]!, 'dead-letter');
      }
    }
  }

  private ackUpTo(last: Pending): void {
    try {
      last.ch.ack(last.msg, true);
    } catch {
      /* channel closed after commit: redelivery is written once thanks to ON CONFLICT */
    }
  }

  private settle(p: Pending, how: 'ack' | 'requeue' | 'dead-letter'): void {
    try {
      if (how === 'ack') p.ch.ack(p.msg);
      else p.ch.nack(p.msg, false, how === 'requeue');
    } catch {
      /* channel closed: redelivered */
    }
  }

  private recordWritten(batch: Pending[], written: number, started: number): void {
    this.progressAt = Date.now();
    const m = this.o.metrics;
    if (!m) return;
    m.written?.(written);
    if (written < batch.length) m.duplicates?.(batch.length - written);
    m.batch?.(batch.length, performance.now() - started);
    if (m.lagSeconds) {
      const now = Date.now();
      for (const p of batch) m.lagSeconds((now - p.row.occurredAt.getTime()) / 1000);
    }
  }
}
