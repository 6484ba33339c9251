/**
 * Broker topology (DESIGN §2). Declarations are idempotent: asserting an exchange or queue with the same
 * arguments is a no-op, so every service declares what it uses at start-up and after each reconnect.
 * Changing a queue's arguments later (e.g. the delivery limit) makes RabbitMQ refuse the declaration
 * (PRECONDITION_FAILED); change such settings through a broker policy, not by editing the code.
 */
import type { Channel } from 'amqplib';
import {
  EXCHANGES, PRIORITY_BANDS, QUEUES, dlqName, parseRoutingKey, type Classification, type PriorityBand,
} from '@dph/contracts';

export const DEFAULT_DELIVERY_LIMIT = 5;

export interface Binding {
  exchange: string;
  routingKey: string;
}

export interface QueueOptions {
  /** Deliveries before the queue dead-letters a message (x-delivery-limit). */
  deliveryLimit?: number;
}

/** Exchanges plus the alternate-exchange queue for parse tasks no zone accepts. */
export async function declareTopology(ch: Channel, opts: QueueOptions = {}): Promise<void> {
  await ch.assertExchange(EXCHANGES.deadLetter, 'topic', { durable: true });
  await ch.assertExchange(EXCHANGES.unrouted, 'fanout', { durable: true });
  await ch.assertExchange(EXCHANGES.jobs, 'topic', { durable: true, alternateExchange: EXCHANGES.unrouted });
  await ch.assertExchange(EXCHANGES.events, 'topic', { durable: true });
  await ch.assertExchange(EXCHANGES.audit, 'topic', { durable: true });
  await declareQueue(ch, QUEUES.unrouted, [{ exchange: EXCHANGES.unrouted, routingKey: '' }], opts);
}

export function quorumArguments(queue: string, deliveryLimit: number): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': deliveryLimit,
    'x-dead-letter-exchange': EXCHANGES.deadLetter,
    'x-dead-letter-routing-key': dlqName(queue),
    // At-least-once dead-lettering: the message stays in the source queue until the DLQ has confirmed it, so a
    // poison message is never lost on its way to the DLQ (requires reject-publish overflow).
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

/**
 * A quorum queue with a delivery limit, its `<queue>.dlq` (bound on dph.dlx by the DLQ's name) and the given
 * bindings. The DLQ is terminal: no limit, no dead-lettering; operators replay or discard from it.
 */
export async function declareQueue(
  ch: Channel,
  queue: string,
  bindings: readonly Binding[],
  opts: QueueOptions = {},
): Promise<void> {
  const dlq = dlqName(queue);
  await ch.assertExchange(EXCHANGES.deadLetter, 'topic', { durable: true });
  await ch.assertQueue(dlq, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(dlq, EXCHANGES.deadLetter, dlq);
  await ch.assertQueue(queue, {
    durable: true,
    arguments: quorumArguments(queue, opts.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT),
  });
  for (const b of bindings) await ch.bindQueue(queue, b.exchange, b.routingKey);
}

/**
 * One queue per priority band for a worker zone, each bound to parse.<classification>.<band> for the zone's
 * classifications. Returns the queue names highest band first (the order the band consumer polls them).
 */
export async function declareParseZone(
  ch: Channel,
  zone: string,
  classifications: readonly Classification[],
  opts: QueueOptions = {},
): Promise<string[]> {
  const names: string[] = [];
  for (const band of PRIORITY_BANDS) {
    const queue = QUEUES.parse(zone, band);
    await declareQueue(ch, queue, classifications.map((c) => ({ exchange: EXCHANGES.jobs, routingKey: parseRoutingKey(c, band) })), opts);
    names.push(queue);
  }
  return names;
}

export const bandQueues = (zone: string): string[] => PRIORITY_BANDS.map((b: PriorityBand) => QUEUES.parse(zone, b));

/** The queues of the dispatcher and the audit writer with their bindings. */
export const SERVICE_QUEUES: Record<'webhookEvents' | 'audit' | 'auditBatches', { queue: string; bindings: Binding[] }> = {
  webhookEvents: { queue: QUEUES.webhookEvents, bindings: [{ exchange: EXCHANGES.events, routingKey: 'job.#' }] },
  audit: { queue: QUEUES.audit, bindings: [{ exchange: EXCHANGES.audit, routingKey: 'audit.#' }] },
  auditBatches: { queue: QUEUES.auditBatches, bindings: [{ exchange: EXCHANGES.audit, routingKey: 'audit-batch.#' }] },
};
