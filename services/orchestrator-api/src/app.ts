/**
 * The express app, built apart from listening so tests can serve it on port 0: operational endpoints, then the v1
 * API (http/mount-api.ts) when its dependencies are given.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { livezHandler, metricsHandler, readyzHandler, type Readiness } from '@dph/lifecycle';
import type { Registry } from '@dph/telemetry';
import type { ApiDeps } from './http/deps.js';
import { mountApi } from './http/mount-api.js';

export interface AppDeps {
  readiness: Readiness;
  registry: Registry;
  api?: ApiDeps;
}

export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(helmet());
  app.get('/livez', livezHandler());
  app.get('/readyz', readyzHandler(deps.readiness));
  app.get('/metrics', metricsHandler(deps.registry));
  if (deps.api) {
    mountApi(app, deps.api);
    return app;
  }
  app.use((_req, res) => {
    res.status(404).type('application/problem+json').json({ type: 'about:blank', title: 'Not Found', status: 404, error: 'not_found' });
  });
  return app;
}
