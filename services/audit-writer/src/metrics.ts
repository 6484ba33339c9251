import { createCounter, createHistogram, type Registry } from '@dph/telemetry';
import type { IngestMetrics, RefusalReason } from './ingest/batch-consumer.js';

const REFUSALS = ['malformed', 'invalid_event', 'type_mismatch', 'red_line', 'db_rejected'] as const satisfies readonly RefusalReason[];

/** Prometheus metrics of the ingest. Labels are the refusal reasons only. */
export function ingestMetrics(registry: Registry): IngestMetrics {
  const received = createCounter(registry, { name: 'dph_audit_events_received_total', help: 'Audit events delivered by the broker', labels: {} });
  const written = createCounter(registry, { name: 'dph_audit_rows_written_total', help: 'Rows appended to audit_events', labels: {} });
  const duplicates = createCounter(registry, {
    name: 'dph_audit_duplicates_total', help: 'Events already in audit_events (redeliveries), acked without a second row', labels: {},
  });
  const refused = createCounter(registry, {
    name: 'dph_audit_events_refused_total', help: 'Events dead-lettered instead of written, by reason', labels: { reason: REFUSALS },
  });
  const retries = createCounter(registry, { name: 'dph_audit_batch_retries_total', help: 'Batch inserts retried after a database failure', labels: {} });
  const batchSize = createHistogram(registry, {
    name: 'dph_audit_batch_rows', help: 'Events per committed batch', labels: {}, buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000],
  });
  const batchSeconds = createHistogram(registry, {
    name: 'dph_audit_batch_seconds', help: 'Time to write and commit one batch', labels: {}, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  const lag = createHistogram(registry, {
    name: 'dph_audit_ingest_lag_seconds', help: 'From the event occurring to its row being committed', labels: {},
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  return {
    received: () => received.inc({}),
    written: (n) => written.inc({}, n),
    duplicates: (n) => duplicates.inc({}, n),
    refused: (reason) => refused.inc({ reason }),
    dbRetry: () => retries.inc({}),
    batch: (size, ms) => {
      batchSize.observe({}, size);
      batchSeconds.observe({}, ms / 1000);
    },
    lagSeconds: (s) => lag.observe({}, Math.max(0, s)),
  };
}
