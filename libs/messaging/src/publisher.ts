/**
 * Publishing with publisher confirms (DESIGN §2 outbox relay). `publish` resolves only when the broker acks the
 * message; it rejects on nack, on a mandatory message coming back unroutable (basic.return, which the broker
 * sends before the ack), on channel close before the confirm, and after `confirmTimeoutMs`.
 */
import type { ConfirmChannel, Message } from 'amqplib';
import type { ConfirmedPublisher, OutgoingMessage } from '@dph/contracts';
import { DphError } from '@dph/errors';
import type { ChannelSource } from './connection.js';
import { CLOUDEVENTS_BATCH_CONTENT_TYPE, CLOUDEVENTS_CONTENT_TYPE, isEventBatch } from './envelope.js';
import { MESSAGING_ERRORS, nullLogger, type MessagingLogger } from './errors.js';

export interface ConfirmPublisherOptions {
  confirmTimeoutMs?: number;
  logger?: MessagingLogger;
}

interface Pending {
  reject: (err: Error) => void;
}

export class ConfirmPublisher implements ConfirmedPublisher {
  private channel: Promise<ConfirmChannel> | undefined;
  /** Message ids returned as unroutable, waiting for their (following) confirm. */
  private readonly returned = new Set<string>();
  private readonly pending = new Set<Pending>();
  private closed = false;

  constructor(
    private readonly conn: ChannelSource,
    private readonly opts: ConfirmPublisherOptions = {},
  ) {}

  private getChannel(): Promise<ConfirmChannel> {
    this.channel ??= this.open();
    return this.channel;
  }

  private async open(): Promise<ConfirmChannel> {
    const log = this.opts.logger ?? nullLogger;
    let ch: ConfirmChannel;
    try {
      ch = await this.conn.createConfirmChannel();
    } catch (err) {
      this.channel = undefined;
      throw err;
    }
    ch.on('return', (msg: Message) => {
      const id = msg.properties.messageId as string | undefined;
      if (id) this.returned.add(id);
    });
    ch.on('error', (err: Error) => log.warn({ errName: err.name }, 'publisher channel error'));
    ch.on('close', () => {
      this.channel = undefined;
      this.returned.clear();
      const err = new DphError(MESSAGING_ERRORS.channelClosed, 'channel closed before the broker confirmed', { retryable: true });
      for (const p of [...this.pending]) p.reject(err);
    });
    return ch;
  }

  async publish(message: OutgoingMessage): Promise<void> {
    if (this.closed) throw new DphError(MESSAGING_ERRORS.channelClosed, 'publisher is closed', { retryable: true });
    const ch = await this.getChannel();
    const timeoutMs = this.opts.confirmTimeoutMs ?? 30_000;
    await new Promise<void>((resolve, reject) => {
      const entry: Pending = {
        reject: (err) => {
          settle();
          reject(err);
        },
      };
      const settle = () => {
        clearTimeout(timer);
        this.pending.delete(entry);
      };
      this.pending.add(entry);
      const timer = setTimeout(
        () => entry.reject(new DphError(MESSAGING_ERRORS.confirmTimeout, 'no broker confirm in time', { retryable: true })),
        timeoutMs,
      );
      try {
        ch.publish(
          message.exchange,
          message.routingKey,
          message.body,
          {
            persistent: true,
            mandatory: message.mandatory === true,
            messageId: message.messageId,
            contentType: isEventBatch(message.body) ? CLOUDEVENTS_BATCH_CONTENT_TYPE : CLOUDEVENTS_CONTENT_TYPE,
            headers: message.headers,
            timestamp: Math.floor(Date.now() / 1000),
          },
          (err) => {
            if (!this.pending.has(entry)) return;
            settle();
            const wasReturned = this.returned.delete(message.messageId);
            if (err) {
              reject(new DphError(MESSAGING_ERRORS.nacked, 'broker refused the message (nack)', { retryable: true }));
            } else if (wasReturned) {
              reject(new DphError(MESSAGING_ERRORS.unroutable, 'no queue is bound for this routing key', {
                retryable: false, details: { exchange: message.exchange, routingKey: message.routingKey },
              }));
            } else {
              resolve();
            }
          },
        );
      } catch (err) {
        settle();
        reject(err instanceof Error ? err : new Error('publish failed'));
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const ch = this.channel;
    this.channel = undefined;
    if (!ch) return;
    try {
      const c = await ch;
      if (this.pending.size > 0) await c.waitForConfirms().catch(() => {});
      await c.close();
    } catch {
      // already closed with its connection
    }
  }
}
