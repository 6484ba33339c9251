/**
 * /livez, /readyz and /metrics. Plain node:http handlers so that the API service can mount them on its express
 * app and the other services can serve them from a small server of their own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { Readiness, type ReadinessCheck } from './readiness.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** 200 while the process runs (the event loop answers). */
export function livezHandler(): Handler {
  return (_req, res) => json(res, 200, { status: 'live' });
}

export function readyzHandler(readiness: Readiness): Handler {
  return (_req, res) => {
    readiness.report().then(
      (r) => json(res, r.status === 'ready' ? 200 : 503, r),
      () => json(res, 503, { status: 'not_ready', checks: {} }),
    );
  };
}

export function metricsHandler(registry: Registry): Handler {
  return (_req, res) => {
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(text);
      },
      () => json(res, 500, { error: 'metrics_unavailable' }),
    );
  };
}

export interface OpsServerOptions {
  port: number;
  host?: string;
  registry: Registry;
  /** Either a Readiness (shared with the Shutdown coordinator) or plain checks. */
  readiness?: Readiness;
  readinessChecks?: Record<string, ReadinessCheck>;
  checkTimeoutMs?: number;
}

export interface OpsServer {
  readonly server: Server;
  readonly readiness: Readiness;
  /** Starts listening; resolves with the bound port (use port 0 in tests). */
  listen(): Promise<number>;
  close(): Promise<void>;
}

export function createOpsServer(opts: OpsServerOptions): OpsServer {
  const readiness = opts.readiness ?? new Readiness(opts.readinessChecks ?? {}, opts.checkTimeoutMs);
  if (opts.readiness && opts.readinessChecks) {
    for (const [name, check] of Object.entries(opts.readinessChecks)) readiness.add(name, check);
  }
  const routes: Record<string, Handler> = {
    '/livez': livezHandler(),
    '/readyz': readyzHandler(readiness),
    '/metrics': metricsHandler(opts.registry),
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = routes[path];
    if (!route) return json(res, 404, { error: 'not_found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'method_not_allowed' });
    route(req, res);
  });
  // Probes are short: do not let idle keep-alive sockets hold up shutdown.
  server.keepAliveTimeout = 1000;
  return {
    server,
    readiness,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
