/**
 * What happens to one delivery (shared by the push consumer and the priority-band poller):
 *   malformed envelope           → nack without requeue → dph.dlx → <queue>.dlq at once
 *   already seen (dedupe)        → ack, handler not called
 *   handler resolves             → remember id, ack (the handler has committed its own transaction)
 *   DphError with retryable=false→ nack without requeue → DLQ at once
 *   any other failure            → wait a short backoff, nack with requeue; the quorum queue's x-delivery-limit
 *                                  bounds the retries and then dead-letters the message (never loops forever)
 * A failure is never acked, so a message is never silently dropped.
 */
import type { Message } from 'amqplib';
import type { Settler } from './acks.js';
import type { CloudEvent } from '@dph/contracts';
import { isDphError, toDphError } from '@dph/errors';
import { currentTraceparent, withExtractedContext } from '@dph/telemetry';
import type { Deduper } from './dedupe.js';
import { parseEvent } from './envelope.js';
import type { MessagingLogger } from './errors.js';

export interface DeliveryContext {
  queue: string;
  routingKey: string;
  /** How many times the broker delivered this message before (quorum queues' x-delivery-count). */
  deliveryCount: number;
  redelivered: boolean;
  /** The traceparent active while the handler runs (child of the one in the message headers). */
  traceparent: string;
  headers: Record<string, unknown>;
}

export type Handler<T> = (event: CloudEvent<T>, ctx: DeliveryContext) => Promise<void>;

export type Outcome = 'ack' | 'duplicate' | 'dead_letter' | 'malformed' | 'retry';

export interface DeliveryOptions<T> {
  queue: string;
  handler: Handler<T>;
  dedupe?: Deduper | undefined;
  logger: MessagingLogger;
  /** Delay before a retryable failure is requeued, by delivery count (default 200 ms doubling, max 5 s). */
  retryDelayMs?: ((deliveryCount: number) => number) | undefined;
  /** Resolves early when the consumer is being cancelled, so a backoff does not hold up shutdown. */
  abort?: Promise<void> | undefined;
  onOutcome?: ((outcome: Outcome) => void) | undefined;
}

export const defaultRetryDelay = (n: number): number => Math.min(200 * 2 ** n, 5000);

function deliveryCount(msg: Message): number {
  const v = msg.properties.headers?.['x-delivery-count'];
  return typeof v === 'number' ? v : 0;
}

/** Ack/nack on a channel that closed meanwhile throws; the broker redelivers those messages anyway. */
function settle(ch: Settler, msg: Message, how: 'ack' | 'requeue' | 'dead-letter', log: MessagingLogger): void {
  try {
    if (how === 'ack') ch.ack(msg);
    else ch.nack(msg, false, how === 'requeue');
  } catch {
    log.warn({ deliveryTag: msg.fields.deliveryTag }, 'channel closed before settling; the broker will redeliver');
  }
}

export async function handleDelivery<T>(ch: Settler, msg: Message, opts: DeliveryOptions<T>): Promise<Outcome> {
  const log = opts.logger;
  const done = (o: Outcome) => {
    opts.onOutcome?.(o);
    return o;
  };
  let event: CloudEvent<T>;
  try {
    event = parseEvent<T>(msg.content);
  } catch (err) {
    log.warn({ queue: opts.queue, code: toDphError(err).code }, 'malformed message sent to the DLQ');
    settle(ch, msg, 'dead-letter', log);
    return done('malformed');
  }
  const headers = (msg.properties.headers ?? {}) as Record<string, unknown>;
  const count = deliveryCount(msg);
  return withExtractedContext(headers, async () => {
    const traceparent = currentTraceparent();
    if (opts.dedupe && (await opts.dedupe.seen(event.id))) {
      log.debug({ queue: opts.queue, eventId: event.id }, 'duplicate event acked without handling');
      settle(ch, msg, 'ack', log);
      return done('duplicate');
    }
    try {
      await opts.handler(event, {
        queue: opts.queue,
        routingKey: msg.fields.routingKey,
        deliveryCount: count,
        redelivered: msg.fields.redelivered,
        traceparent,
        headers,
      });
    } catch (err) {
      const e = toDphError(err);
      const fields = { queue: opts.queue, eventId: event.id, eventType: event.type, code: e.code, deliveryCount: count };
      if (isDphError(err) && !err.retryable) {
        log.warn(fields, 'unretryable failure: message dead-lettered');
        settle(ch, msg, 'dead-letter', log);
        return done('dead_letter');
      }
      log.warn(fields, 'retryable failure: message requeued');
      const delay = (opts.retryDelayMs ?? defaultRetryDelay)(count);
      await Promise.race([new Promise((r) => setTimeout(r, delay)), opts.abort ?? new Promise(() => {})]);
      settle(ch, msg, 'requeue', log);
      return done('retry');
    }
    try {
      await opts.dedupe?.remember(event.id);
    } catch {
      // The handler committed; a failing dedupe store only costs a duplicate delivery, which handlers tolerate.
      log.warn({ queue: opts.queue, eventId: event.id }, 'dedupe store failed to record the event');
    }
    settle(ch, msg, 'ack', log);
    return done('ack');
  }, `consume ${opts.queue}`);
}
