/**
 * Push consumer: manual ack (coalesced, see acks.ts), bounded prefetch, own channel. The channel is re-opened (with backoff) when it or
 * the connection closes; a broker-side cancel (queue deleted or failed over: amqplib calls back with null) leads
 * to a re-subscribe with backoff. Meanwhile `healthy()` is false, which readiness reports.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import type { ChannelSource } from './connection.js';
import { AckCoalescer } from './acks.js';
import type { Deduper } from './dedupe.js';
import { handleDelivery, type Handler, type Outcome } from './delivery.js';
import { nullLogger, type MessagingLogger } from './errors.js';

export interface ConsumeOptions<T> {
  connection: ChannelSource;
  queue: string;
  /** Upper bound of unacked deliveries on this consumer's channel (also the handler concurrency). */
  prefetch: number;
  handler: Handler<T>;
  dedupe?: Deduper;
  logger?: MessagingLogger;
  retryDelayMs?: (deliveryCount: number) => number;
  onOutcome?: (outcome: Outcome, queue: string) => void;
}

export type ConsumerState = 'starting' | 'consuming' | 'recovering' | 'stopped';

export interface Consumer {
  readonly state: ConsumerState;
  /** True while subscribed: use as a readiness check. */
  healthy(): boolean;
  /** Stops new deliveries, waits for in-flight handlers to settle, closes the channel. */
  cancel(): Promise<void>;
}

const backoff = (attempt: number) => Math.min(250 * 2 ** attempt, 10_000);

/** Resolves once the first subscription is active (rejects if the first attempt fails). */
export async function consume<T>(opts: ConsumeOptions<T>): Promise<Consumer> {
  const log = opts.logger ?? nullLogger;
  const inFlight = new Set<Promise<unknown>>();
  let state: ConsumerState = 'starting';
  let channel: Channel | undefined;
  let tag: string | undefined;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let abortRetries!: () => void;
  const abort = new Promise<void>((r) => (abortRetries = r));

  // One ack coalescer per channel (delivery tags are per channel).
  const ackers = new WeakMap<Channel, AckCoalescer>();
  const ackerOf = (ch: Channel): AckCoalescer => {
    let a = ackers.get(ch);
    if (!a) ackers.set(ch, (a = new AckCoalescer(ch)));
    return a;
  };

  const onMessage = (ch: Channel) => (msg: ConsumeMessage | null) => {
    if (msg === null) {
      log.warn({ queue: opts.queue }, 'broker cancelled the consumer; re-subscribing');
      tag = undefined;
      scheduleRestart(ch);
      return;
    }
    const acker = ackerOf(ch);
    acker.delivered(msg);
    const p = handleDelivery(acker, msg, {
      queue: opts.queue, handler: opts.handler, dedupe: opts.dedupe, logger: log,
      retryDelayMs: opts.retryDelayMs, abort,
      onOutcome: opts.onOutcome ? (o) => opts.onOutcome!(o, opts.queue) : undefined,
    }).catch((err: unknown) => log.error({ queue: opts.queue, errName: (err as Error)?.name }, 'delivery handling failed'));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  async function subscribe(): Promise<void> {
    const ch = await opts.connection.createChannel();
    ch.on('error', (err: Error) => log.warn({ queue: opts.queue, errName: err.name }, 'consumer channel error'));
    ch.on('close', () => {
      if (channel === ch) channel = undefined;
      tag = undefined;
      if (state !== 'stopped') scheduleRestart(undefined);
    });
    channel = ch;
    await ch.prefetch(opts.prefetch);
    const ok = await ch.consume(opts.queue, onMessage(ch), { noAck: false });
    tag = ok.consumerTag;
    state = 'consuming';
    attempt = 0;
  }

  function scheduleRestart(sameChannel: Channel | undefined): void {
    if (state === 'stopped' || timer) return;
    state = 'recovering';
    const delay = backoff(attempt++);
    timer = setTimeout(() => {
      timer = undefined;
      if (state === 'stopped') return;
      const run = sameChannel && channel === sameChannel
        ? sameChannel.consume(opts.queue, onMessage(sameChannel), { noAck: false }).then((ok) => {
            tag = ok.consumerTag;
            state = 'consuming';
            attempt = 0;
          })
        : subscribe();
      // A failed consume closes the channel (e.g. 404 queue not found); the close handler schedules the next try.
      run.catch(() => scheduleRestart(undefined));
    }, delay);
    timer.unref();
  }

  try {
    await subscribe();
  } catch (err) {
    // The first subscription failed (e.g. the queue does not exist): stop here rather than retry in the background.
    state = 'stopped';
    clearTimeout(timer);
    await channel?.close().catch(() => {});
    throw err;
  }

  return {
    get state() {
      return state;
    },
    healthy: () => state === 'consuming',
    async cancel() {
      if (state === 'stopped') return;
      state = 'stopped';
      clearTimeout(timer);
      const ch = channel;
      if (ch && tag) await ch.cancel(tag).catch(() => {});
      abortRetries();
      await Promise.allSettled([...inFlight]);
      if (ch) {
        try {
          ackers.get(ch)?.flush(); // acks still waiting for their turn go out before the channel closes
        } catch {
          /* channel already gone: the broker redelivers */
        }
        await ch.close().catch(() => {});
      }
    },
  };
}
