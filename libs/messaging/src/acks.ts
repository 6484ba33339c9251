/**
 * Coalesced acks for one consumer channel. Every ack of a quorum queue is a consensus command in the broker (a
 * log write), so acking each message on its own cost the broker about as much as delivering it. Handlers that
 * finish in the same event-loop turn (a batch commit resolving many deliveries at once) are acked together with
 * one `basic.ack multiple=true` for the longest settled run from the oldest open delivery; any settled message
 * that run cannot cover yet (an older one is still being handled) is acked on its own, so no message holds a
 * prefetch slot longer than its handler. Nacks are sent at once. Hand-written: the rule (only a contiguous,
 * fully settled prefix may be acked with multiple) is AMQP's, and no library tracks it for amqplib.
 */
import type { Channel, Message } from 'amqplib';

/** The part of a channel that settles deliveries (what handleDelivery needs). */
export type Settler = Pick<Channel, 'ack' | 'nack'>;

export class AckCoalescer implements Settler {
  /** Delivery tags handed to a handler and not yet acked by this coalescer, oldest first. */
  private readonly open: number[] = [];
  /** Of those: settled (acked but not yet sent, or nacked) and waiting for the flush. */
  private readonly settled = new Map<number, 'ack' | 'nacked'>();
  private scheduled = false;
  /** Frames sent (for tests and the benchmark's accounting): multiple-acks, single acks. */
  readonly sent = { multiple: 0, single: 0 };

  constructor(private readonly ch: Pick<Channel, 'ack' | 'nack'>) {}

  /** Call for every delivery, in the order the broker delivered them (tags grow on a channel). */
  delivered(msg: Message): void {
    this.open.push(msg.fields.deliveryTag);
  }

  ack(msg: Message): void {
    this.settled.set(msg.fields.deliveryTag, 'ack');
    this.schedule();
  }

  nack(msg: Message, allUpTo?: boolean, requeue?: boolean): void {
    this.ch.nack(msg, allUpTo ?? false, requeue);
    this.settled.set(msg.fields.deliveryTag, 'nacked');
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      try {
        this.flush();
      } catch {
        // The channel closed meanwhile: the broker redelivers whatever was not acked, and the consumer opens a
        // new channel with a coalescer of its own.
      }
    });
  }

  /** Sends what is settled. Throws like Channel.ack when the channel is gone (the broker redelivers then). */
  flush(): void {
    this.scheduled = false;
    // The settled run from the oldest open delivery: one multiple-ack covers every ack in it (nacked ones in it
    // are no longer unacked on the broker's side, so the multiple-ack passes over them).
    let upTo = -1;
    let acksInRun = 0;
    while (this.open.length > 0 && this.settled.has(this.open[0]!)) {
      const tag = this.open.shift()!;
      if (this.settled.get(tag) === 'ack') {
        upTo = tag;
        acksInRun++;
      }
      this.settled.delete(tag);
    }
    if (acksInRun > 1) {
      this.ch.ack(tagged(upTo), true);
      this.sent.multiple++;
    } else if (acksInRun === 1) {
      this.ch.ack(tagged(upTo), false);
      this.sent.single++;
    }
    // Behind a delivery still in its handler: ack on its own now, and drop it from the run to come.
    for (const [tag, how] of this.settled) {
      if (how === 'ack') {
        this.ch.ack(tagged(tag), false);
        this.sent.single++;
      }
      this.settled.delete(tag);
      const i = this.open.indexOf(tag);
      if (i >= 0) this.open.splice(i, 1);
    }
  }
}

/** amqplib's ack reads only the delivery tag of the message it is given. */
const tagged = (deliveryTag: number): Message => ({ fields: { deliveryTag } }) as Message;
