/**
 * Listens to the broker like an eavesdropper would: a temporary exclusive, auto-deleted queue bound with `#` to
 * the event and audit exchanges (and to this run's parse tasks), so the red-line scan can read every body.
 */
import { connect, type ChannelModel } from 'amqplib';
import { EXCHANGES } from '@dph/contracts';
import { amqpSocketOptions, amqpUrl } from '@dph/testkit';

export interface BrokerTap {
  messages: Array<{ exchange: string; routingKey: string; body: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function tapBroker(bindings: Array<[exchange: string, pattern: string]> = [
  [EXCHANGES.events, '#'],
  [EXCHANGES.audit, '#'],
]): Promise<BrokerTap> {
  const conn: ChannelModel = await connect(amqpUrl(), { ...amqpSocketOptions(), servername: '127.0.0.1' });
  const ch = await conn.createChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
  for (const [ex, pattern] of bindings) await ch.bindQueue(queue, ex, pattern);
  const tap: BrokerTap = {
    messages: [],
    close: async () => {
      await ch.close().catch(() => undefined);
      await conn.close().catch(() => undefined);
    },
  };
  await ch.consume(queue, (m) => {
    if (!m) return;
    tap.messages.push({ exchange: m.fields.exchange, routingKey: m.fields.routingKey, body: m.content.toString('utf8'), headers: m.properties.headers ?? {} });
  }, { noAck: true });
  return tap;
}

/** Reads up to `max` messages of a queue without consuming them (each is put back), for the reconciler. */
export async function peekQueue(queue: string, max = 500): Promise<string[]> {
  const conn = await connect(amqpUrl(), { ...amqpSocketOptions(), servername: '127.0.0.1' });
  const ch = await conn.createChannel();
  const bodies: string[] = [];
  try {
    for (let i = 0; i < max; i++) {
      const m = await ch.get(queue, { noAck: false });
      if (!m) break;
      bodies.push(m.content.toString('utf8'));
    }
  } finally {
    // Closing the channel returns every unacked message to the queue.
    await ch.close().catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
  return bodies;
}
