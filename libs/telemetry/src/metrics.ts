/**
 * Prometheus metrics. Labels are enums and stable codes only (outcome, error code, queue, band, status): never an
 * id, a tenant's free text, a URL, an address or anything that could be PII. `createCounter`/`createHistogram`
 * enforce this by declaring each label's allowed values up front and refusing anything else.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DphError } from '@dph/errors';

export { Registry } from 'prom-client';

export function createRegistry(service: string, opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Each label name maps to the list of values it may take. */
export type LabelSpec = Record<string, readonly string[]>;
export type LabelValues<L extends LabelSpec> = { [K in keyof L]: L[K][number] };

function guard<L extends LabelSpec>(metric: string, spec: L, values: LabelValues<L>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(spec)) {
    const v = (values as Record<string, string | undefined>)[name];
    if (v === undefined || !spec[name]!.includes(v)) {
      // The value is not echoed: a refused value is exactly the kind that might be PII.
      throw new DphError('invalid_metric_label', `${metric}: label ${name} has a value outside its allowed set`);
    }
    out[name] = v;
  }
  for (const name of Object.keys(values)) {
    if (!(name in spec)) throw new DphError('invalid_metric_label', `${metric}: unknown label ${name}`);
  }
  return out;
}

export interface GuardedCounter<L extends LabelSpec> {
  inc(labels: LabelValues<L>, value?: number): void;
  readonly metric: Counter<string>;
}

export function createCounter<L extends LabelSpec>(
  registry: Registry,
  opts: { name: string; help: string; labels: L },
): GuardedCounter<L> {
  const metric = new Counter({
    name: opts.name, help: opts.help, labelNames: Object.keys(opts.labels), registers: [registry],
  });
  return {
    metric,
    inc(labels, value = 1) {
      metric.inc(guard(opts.name, opts.labels, labels), value);
    },
  };
}

export interface GuardedHistogram<L extends LabelSpec> {
  observe(labels: LabelValues<L>, value: number): void;
  /** Starts a timer; call the returned function to observe the elapsed seconds. */
  startTimer(labels: LabelValues<L>): () => number;
  readonly metric: Histogram<string>;
}

export function createHistogram<L extends LabelSpec>(
  registry: Registry,
  opts: { name: string; help: string; labels: L; buckets?: number[] },
): GuardedHistogram<L> {
  const metric = new Histogram({
    name: opts.name,
    help: opts.help,
    labelNames: Object.keys(opts.labels),
    registers: [registry],
    ...(opts.buckets ? { buckets: opts.buckets } : {}),
  });
  return {
    metric,
    observe(labels, value) {
      metric.observe(guard(opts.name, opts.labels, labels), value);
    },
    startTimer(labels) {
      const checked = guard(opts.name, opts.labels, labels);
      const end = metric.startTimer(checked);
      return () => end();
    },
  };
}
