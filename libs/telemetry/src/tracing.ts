/**
 * Tracing set-up. Code uses only the OpenTelemetry API (`trace.getTracer`). `initTracing` installs either the Node
 * SDK with the OTLP exporter (when OTEL_EXPORTER_OTLP_ENDPOINT is set) or a basic tracer provider without an
 * exporter, so that spans always have real trace ids and every operation has a traceparent to log and propagate.
 */
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

export interface TracingOptions {
  service: string;
  instance?: string;
  /** OTLP base endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); traces go to `<endpoint>/v1/traces`. */
  otlpEndpoint?: string | undefined;
}

export interface TracingHandle {
  readonly exporting: boolean;
  shutdown(): Promise<void>;
}

let active: TracingHandle | undefined;

export async function initTracing(opts: TracingOptions): Promise<TracingHandle> {
  if (active) return active;
  const attributes = {
    'service.name': opts.service,
    ...(opts.instance ? { 'service.instance.id': opts.instance } : {}),
  };
  if (opts.otlpEndpoint) {
    // Loaded lazily: the SDK and exporter are only needed when exporting.
    const [{ NodeSDK }, { OTLPTraceExporter }] = await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/exporter-trace-otlp-proto'),
    ]);
    const sdk = new NodeSDK({
      resource: resourceFromAttributes(attributes),
      traceExporter: new OTLPTraceExporter({ url: `${opts.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` }),
      instrumentations: [],
      contextManager: new AsyncLocalStorageContextManager(),
      textMapPropagator: new W3CTraceContextPropagator(),
    });
    sdk.start();
    active = { exporting: true, shutdown: () => sdk.shutdown() };
  } else {
    installBasic(attributes);
    active = { exporting: false, shutdown: async () => {} };
  }
  return active;
}

function installBasic(attributes: Record<string, string>): void {
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(attributes) });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/**
 * Makes sure a context manager and a tracer provider exist (libs call this lazily, so that traceparent
 * propagation works in tests and tools that never call initTracing). A service calls initTracing first.
 */
export function ensureTracing(): void {
  if (active) return;
  installBasic({ 'service.name': process.env.OTEL_SERVICE_NAME ?? 'dph' });
  active = { exporting: false, shutdown: async () => {} };
}

export function getTracer(name = 'dph'): Tracer {
  ensureTracing();
  return trace.getTracer(name);
}
