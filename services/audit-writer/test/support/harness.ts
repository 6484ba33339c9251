/** Shared set-up of the ingest tests: a scratch database, a private exchange and queue (with its DLQ). */
import { randomUUID } from 'node:crypto';
import { stackEnv } from '@dph/testkit';
import { connectAmqp, declareQueue, ConfirmPublisher, encodeEventBatch, makeEvent, toOutgoing, type AmqpConnection } from '@dph/messaging';
import { dlqName, type AuditEventData } from '@dph/contracts';

export const TRACE = '0af7651916cd43dd8448eb211c80319c';

export async function amqpConnection(name: string): Promise<AmqpConnection> {
  const env = stackEnv();
  return connectAmqp({ url: env.DPH_AMQP_URL!, caFile: env.DPH_TLS_CA_FILE!, connectionName: name });
}

export async function declareTestQueue(conn: AmqpConnection, tag: string): Promise<{ exchange: string; queue: string; dlq: string }> {
  const exchange = `dph.test.audit.${tag}`;
  const queue = `dph.test.audit.writer.${tag}`;
  const ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'topic', { durable: false });
  await declareQueue(ch, queue, [{ exchange, routingKey: 'audit.#' }], { deliveryLimit: 5 });
  await ch.close();
  return { exchange, queue, dlq: dlqName(queue) };
}

export async function deleteTestQueue(conn: AmqpConnection, q: { exchange: string; queue: string; dlq: string }): Promise<void> {
  const ch = await conn.createChannel();
  await ch.deleteQueue(q.queue).catch(() => undefined);
  await ch.deleteQueue(q.dlq).catch(() => undefined);
  await ch.deleteExchange(q.exchange).catch(() => undefined);
  await ch.close().catch(() => undefined);
}

export function auditEvent(over: Partial<AuditEventData> = {}, id: string = randomUUID()) {
  const data: AuditEventData = {
    eventType: 'pii_hit',
    jobId: randomUUID(),
    tenantScene: 'scene-a',
    actor: 'system:worker-postproc@test',
    payload: { entity_type: 'EMAIL_ADDRESS', start: 3, end: 20, confidence: 0.9, recognizer: 'email-address' },
    traceId: TRACE,
    occurredAt: new Date().toISOString(),
    ...over,
  };
  return makeEvent({ id, source: 'dph/test', type: `dph.audit.${data.eventType}`, subject: data.jobId ?? undefined, data });
}

export async function publishAll(conn: AmqpConnection, exchange: string, events: ReturnType<typeof auditEvent>[]): Promise<void> {
  const pub = new ConfirmPublisher(conn);
  for (let i = 0; i < events.length; i += 500) {
    await Promise.all(
      events.slice(i, i + 500).map((e) => pub.publish(toOutgoing(e, { exchange, routingKey: `audit.${e.data.eventType}` }))),
    );
  }
  await pub.close();
}

export async function waitFor(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

/** Publishes each group of events as one message in CloudEvents' JSON batch format (the dispatcher's form). */
export async function publishBatches(
  conn: AmqpConnection, exchange: string, batches: ReturnType<typeof auditEvent>[][] | ReturnType<typeof auditEvent>[],
  routingKey: (eventType: string) => string = (t) => `audit.${t}`,
): Promise<void> {
  const pub = new ConfirmPublisher(conn);
  const list = (Array.isArray(batches[0]) ? batches : [batches]) as ReturnType<typeof auditEvent>[][];
  for (const b of list) {
    await pub.publish({ exchange, routingKey: routingKey(b[0]!.data.eventType), body: encodeEventBatch(b), headers: {}, messageId: randomUUID() });
  }
  await pub.close();
}
