import { createCounter, type Registry } from '@dph/telemetry';
import type { Outcome } from './delivery.js';

export const DELIVERY_OUTCOMES = ['ack', 'duplicate', 'dead_letter', 'malformed', 'retry'] as const satisfies readonly Outcome[];

/**
 * `dph_amqp_deliveries_total{queue, outcome}`. Queue names are the service's configured queues (an allow-list
 * given here), never anything taken from a message. Returns a callback for `onOutcome`.
 */
export function deliveryMetrics(registry: Registry, queues: readonly string[]): (outcome: Outcome, queue: string) => void {
  const counter = createCounter(registry, {
    name: 'dph_amqp_deliveries_total',
    help: 'Deliveries handled by this service, by queue and outcome',
    labels: { queue: queues, outcome: DELIVERY_OUTCOMES },
  });
  return (outcome, queue) => counter.inc({ queue, outcome });
}
