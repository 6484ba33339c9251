/**
 * The pieces every service's main.ts starts with, in one call: tracing, the logger, the metrics registry,
 * readiness and the shutdown coordinator (signals installed), plus fatal-error handling that still drains.
 */
import { createLogger, type Logger } from '@dph/logging';
import { createRegistry, initTracing, type Registry, type TracingHandle } from '@dph/telemetry';
import { Readiness } from './readiness.js';
import { Shutdown } from './shutdown.js';

/** The common settings (see @dph/config commonEnv). */
export interface RuntimeConfig {
  DPH_ENV: string;
  DPH_LOG_LEVEL: string;
  DPH_SERVICE_INSTANCE: string;
  DPH_SHUTDOWN_TIMEOUT_MS: number;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
}

export interface Runtime {
  service: string;
  log: Logger;
  registry: Registry;
  readiness: Readiness;
  shutdown: Shutdown;
  tracing: TracingHandle;
}

export async function createRuntime(service: string, config: RuntimeConfig): Promise<Runtime> {
  const tracing = await initTracing({
    service, instance: config.DPH_SERVICE_INSTANCE, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const log = createLogger({ service, instance: config.DPH_SERVICE_INSTANCE, level: config.DPH_LOG_LEVEL });
  const registry = createRegistry(service);
  const readiness = new Readiness({}, 2000);
  const shutdown = new Shutdown({ timeoutMs: config.DPH_SHUTDOWN_TIMEOUT_MS, readiness, logger: log }).install();
  const fatal = (kind: string) => (err: unknown) => {
    log.fatal({ err }, kind);
    void shutdown.run(kind, 1);
  };
  process.on('uncaughtException', fatal('uncaught_exception'));
  process.on('unhandledRejection', fatal('unhandled_rejection'));
  return { service, log, registry, readiness, shutdown, tracing };
}
