/**
 * Priority bands (DESIGN §2): quorum queues on RabbitMQ 3.10 have no message priority, so each zone has one
 * queue per band and work is taken from the highest non-empty band first.
 *
 * Choice: basic.get polling rather than one push consumer per band. With push consumers the broker delivers
 * into each consumer's prefetch window independently, so a low-band message can already be in hand (and be
 * started) while a high-band one is still on the wire; ordering would depend on timing. With basic.get, each
 * free slot asks the bands in order (high, normal, low) at the moment it is free, so the choice always reflects
 * the broker's current state: strict priority by construction. Costs: one round trip per message (sub-ms on a
 * LAN, negligible next to parsing a document) and, when every band is empty, a poll that backs off from
 * `minPollMs` to `maxPollMs` (the idle latency bound). The delivery handling (ack after the handler, DLQ on
 * unretryable errors, requeue bounded by x-delivery-limit) is the same as for `consume`.
 */
import type { Channel, GetMessage } from 'amqplib';
import type { ChannelSource } from './connection.js';
import type { Deduper } from './dedupe.js';
import { handleDelivery, type Handler, type Outcome } from './delivery.js';
import { nullLogger, type MessagingLogger } from './errors.js';

export interface BandConsumeOptions<T> {
  connection: ChannelSource;
  /** Queue names, highest priority first (declareParseZone returns them in this order). */
  queues: readonly string[];
  /** Messages handled at the same time. */
  concurrency: number;
  handler: Handler<T>;
  dedupe?: Deduper;
  logger?: MessagingLogger;
  retryDelayMs?: (deliveryCount: number) => number;
  minPollMs?: number;
  maxPollMs?: number;
  onOutcome?: (outcome: Outcome, queue: string) => void;
}

export interface BandConsumer {
  healthy(): boolean;
  /** Stops taking new messages and waits for the in-flight ones to settle. */
  cancel(): Promise<void>;
}

export async function consumeBands<T>(opts: BandConsumeOptions<T>): Promise<BandConsumer> {
  const log = opts.logger ?? nullLogger;
  const minPoll = opts.minPollMs ?? 25;
  const maxPoll = opts.maxPollMs ?? 500;
  let stopped = false;
  let channel: Promise<Channel> | undefined;
  let healthy = false;
  const sleepers = new Set<() => void>();
  let abortRetries!: () => void;
  const abort = new Promise<void>((r) => (abortRetries = r));

  const getChannel = (): Promise<Channel> => {
    channel ??= (async () => {
      const ch = await opts.connection.createChannel();
      ch.on('error', (err: Error) => log.warn({ errName: err.name }, 'band channel error'));
      ch.on('close', () => {
        channel = undefined;
        healthy = false;
      });
      return ch;
    })().catch((err: unknown) => {
      channel = undefined;
      throw err;
    });
    return channel;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        sleepers.delete(done);
        resolve();
      }
      sleepers.add(done);
    });

  /** The head of the highest non-empty band, or undefined when all are empty. */
  async function take(ch: Channel): Promise<{ msg: GetMessage; queue: string } | undefined> {
    for (const queue of opts.queues) {
      const msg = await ch.get(queue, { noAck: false });
      if (msg) return { msg, queue };
    }
    return undefined;
  }

  async function slot(): Promise<void> {
    let idle = minPoll;
    let failures = 0;
    while (!stopped) {
      let ch: Channel;
      let next: { msg: GetMessage; queue: string } | undefined;
      try {
        ch = await getChannel();
        next = await take(ch);
        healthy = true;
        failures = 0;
      } catch {
        healthy = false;
        await sleep(Math.min(250 * 2 ** failures++, 10_000));
        continue;
      }
      if (!next) {
        await sleep(idle);
        idle = Math.min(idle * 2, maxPoll);
        continue;
      }
      idle = minPoll;
      if (stopped) {
        // Taken while stopping: hand it back untouched (requeue does count as a delivery in a quorum queue).
        try { ch.nack(next.msg, false, true); } catch { /* channel gone: redelivered anyway */ }
        break;
      }
      const queue = next.queue;
      await handleDelivery(ch, next.msg, {
        queue, handler: opts.handler, dedupe: opts.dedupe, logger: log, retryDelayMs: opts.retryDelayMs, abort,
        onOutcome: opts.onOutcome ? (o) => opts.onOutcome!(o, queue) : undefined,
      }).catch((err: unknown) => log.error({ queue, errName: (err as Error)?.name }, 'delivery handling failed'));
    }
  }

  await getChannel();
  healthy = true;
  const slots = Array.from({ length: Math.max(1, opts.concurrency) }, () => slot());

  return {
    healthy: () => healthy && !stopped,
    async cancel() {
      if (stopped) return;
      stopped = true;
      abortRetries();
      for (const wake of [...sleepers]) wake();
      await Promise.allSettled(slots);
      const ch = await channel?.catch(() => undefined);
      await ch?.close().catch(() => {});
    },
  };
}
