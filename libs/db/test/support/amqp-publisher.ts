/**
 * Test-only ConfirmedPublisher over an amqplib confirm channel, so the relay test runs before (and independently
 * of) @dph/messaging. The product's publisher lives in @dph/messaging.
 */
import amqp from 'amqplib';
import { caCert, stackEnv } from '@dph/testkit';
import type { ConfirmedPublisher, OutgoingMessage } from '@dph/contracts';

export interface TestPublisher extends ConfirmedPublisher {
  close(): Promise<void>;
}

export async function connectTestPublisher(): Promise<TestPublisher> {
  const conn = await amqp.connect(stackEnv().DPH_AMQP_URL!, { ca: [caCert()] });
  const ch = await conn.createConfirmChannel();
  return {
    publish(m: OutgoingMessage) {
      return new Promise<void>((resolve, reject) => {
        ch.publish(m.exchange, m.routingKey, m.body, { headers: m.headers, messageId: m.messageId, persistent: true }, (err) =>
          err ? reject(err instanceof Error ? err : new Error('nacked')) : resolve(),
        );
      });
    },
    async close() {
      await ch.close().catch(() => undefined);
      await conn.close().catch(() => undefined);
    },
  };
}
