/**
 * The express app, built apart from listening so tests can serve it on port 0. For now it serves the operational
 * endpoints only; the v1 API routes are mounted here as they are built.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { livezHandler, metricsHandler, readyzHandler, type Readiness } from '@dph/lifecycle';
import type { Registry } from '@dph/telemetry';

export interface AppDeps {
  readiness: Readiness;
  registry: Registry;
}

export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(helmet());
  app.get('/livez', livezHandler());
  app.get('/readyz', readyzHandler(deps.readiness));
  app.get('/metrics', metricsHandler(deps.registry));
  app.use((_req, res) => {
    res.status(404).type('application/problem+json').json({ type: 'about:blank', title: 'Not Found', status: 404, error: 'not_found' });
  });
  return app;
}
