/**
 * The worker's metrics. Labels: scene (operator-assigned identifiers matching SCENE_PATTERN, never free text),
 * engine, stable error codes, queue names from config, PII entity types. Never an id or a value.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { ENTITY_TYPES } from '@dph/pii';
import { ERROR_CODES, SCENE_PATTERN } from '@dph/contracts';
import type { PipelineMetrics } from './domain/ports.js';

const KNOWN_CODES = new Set<string>([...Object.values(ERROR_CODES), 'internal_error']);
const ENTITIES = new Set<string>([...ENTITY_TYPES, 'UNKNOWN']);
const ENGINES = new Set(['builtin', 'docling', 'mineru']);

export interface WorkerMetrics extends PipelineMetrics {
  /** Registers queue_depth, read from the broker at scrape time. */
  queueDepth(read: () => Promise<Record<string, number>>): void;
}

export function workerMetrics(registry: Registry): WorkerMetrics {
  const duration = new Histogram({
    name: 'job_duration_seconds',
    help: 'Time from taking a parse task to the job succeeding, by scene and engine.',
    labelNames: ['scene', 'engine'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const failures = new Counter({ name: 'job_failures_total', help: 'Jobs the worker failed, by error code.', labelNames: ['error_code'], registers: [registry] });
  const pii = new Counter({ name: 'pii_entities_total', help: 'PII entities redacted from result.md, by type.', labelNames: ['type'], registers: [registry] });
  return {
    jobDone(scene, engine, seconds) {
      duration.observe({ scene: SCENE_PATTERN.test(scene) ? scene : 'other', engine: ENGINES.has(engine) ? engine : 'other' }, seconds);
    },
    jobFailed(code) {
      failures.inc({ error_code: KNOWN_CODES.has(code) ? code : 'other' });
    },
    piiEntities(counts) {
      for (const [type, n] of Object.entries(counts)) pii.inc({ type: ENTITIES.has(type) ? type : 'UNKNOWN' }, n);
    },
    queueDepth(read) {
      new Gauge({
        name: 'queue_depth',
        help: 'Messages ready in the queues this worker consumes.',
        labelNames: ['queue'],
        registers: [registry],
        async collect() {
          try {
            for (const [queue, n] of Object.entries(await read())) this.set({ queue }, n);
          } catch {
            // broker unreachable: keep the last values; readiness reports the outage
          }
        },
      });
    },
  };
}
