export { createRegistry, createCounter, createHistogram, Registry } from './metrics.js';
export type { LabelSpec, LabelValues, GuardedCounter, GuardedHistogram } from './metrics.js';
export { initTracing, ensureTracing, getTracer } from './tracing.js';
export type { TracingOptions, TracingHandle } from './tracing.js';
export {
  currentTraceparent, freshTraceparent, traceIdOf, isValidTraceparent, traceHeaders, extractContext,
  withExtractedContext,
} from './traceparent.js';
