export { Readiness } from './readiness.js';
export type { ReadinessCheck, CheckState, ReadinessReport } from './readiness.js';
export { createOpsServer, livezHandler, readyzHandler, metricsHandler } from './ops-server.js';
export type { Handler, OpsServer, OpsServerOptions } from './ops-server.js';
export { Shutdown } from './shutdown.js';
export type { ShutdownStep, ShutdownOptions, ShutdownLogger } from './shutdown.js';
export { createRuntime } from './runtime.js';
export type { Runtime, RuntimeConfig } from './runtime.js';
