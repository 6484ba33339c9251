/**
 * The dispatcher's metrics. Labels are outcomes, stable error classes and subscription ids (bounded by the
 * number of subscriptions, never a URL: a callback URL's path or query may hold a receiver's token).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EngineHooks, AttemptOutcome } from '@dph/webhooks';

const OUTCOMES: readonly AttemptOutcome[] = ['succeeded', 'retry', 'dead', 'gone', 'endpoint_disabled'];
const ERROR_CLASS = /^(http_status|redirect|timeout|connect|tls|invalid_url|secret_unavailable|endpoint_disabled|gone|egress_denied:[a-z_0-9]+)$/;

export interface DispatcherMetrics {
  hooks: EngineHooks;
  deliveriesRecorded(count: number): void;
  /** Registers the backlog gauge, read from the database at scrape time. */
  backlog(read: () => Promise<Array<{ endpoint: string; count: number }>>): void;
}

export function dispatcherMetrics(registry: Registry, onError: (where: string, err: unknown) => void): DispatcherMetrics {
  const attempts = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Delivery attempts by outcome (succeeded, retry, dead, gone, endpoint_disabled) and error class.',
    labelNames: ['outcome', 'error_class'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'webhook_attempt_duration_seconds',
    help: 'HTTP attempt latency, by outcome.',
    labelNames: ['outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    registers: [registry],
  });
  const dead = new Counter({
    name: 'webhook_dead_lettered_total',
    help: 'Deliveries dead-lettered (alert on any increase).',
    registers: [registry],
  });
  const disabled = new Counter({
    name: 'webhook_endpoints_disabled_total',
    help: 'Endpoints disabled by the dispatcher, by reason (gone, sustained_failure).',
    labelNames: ['reason'],
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'webhook_first_attempt_lag_seconds',
    help: 'Time from a delivery being recorded to its first attempt starting.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    registers: [registry],
  });
  const orderReleased = new Counter({
    name: 'webhook_order_hold_expired_total',
    help: 'Deliveries sent although an earlier event of their job was never recorded within DPH_WEBHOOK_ORDER_HOLD_MS.',
    registers: [registry],
  });
  const recorded = new Counter({
    name: 'webhook_deliveries_recorded_total',
    help: 'Deliveries created from consumed job events (one per event and matching endpoint).',
    registers: [registry],
  });
  return {
    hooks: {
      attempt(outcome, errorClass, ms) {
        const o = OUTCOMES.includes(outcome) ? outcome : 'retry';
        attempts.inc({ outcome: o, error_class: errorClass === null ? 'none' : ERROR_CLASS.test(errorClass) ? errorClass : 'other' });
        if (outcome !== 'endpoint_disabled') latency.observe({ outcome: o }, ms / 1000);
      },
      deadLettered: (n) => dead.inc(n),
      endpointDisabled: (reason) => disabled.inc({ reason: reason === 'gone' ? 'gone' : 'sustained_failure' }),
      firstAttemptLagMs: (ms) => lag.observe(Math.max(0, ms) / 1000),
      orderReleased: (n) => orderReleased.inc(n),
      error: onError,
    },
    deliveriesRecorded: (n) => recorded.inc(n),
    backlog(read) {
      new Gauge({
        name: 'webhook_backlog',
        help: 'Deliveries pending or awaiting a retry, per endpoint (subscription id, or job_callback).',
        labelNames: ['endpoint'],
        registers: [registry],
        async collect() {
          this.reset();
          try {
            for (const r of await read()) this.set({ endpoint: r.endpoint }, r.count);
          } catch (err) {
            onError('backlog', err);
          }
        },
      });
    },
  };
}
