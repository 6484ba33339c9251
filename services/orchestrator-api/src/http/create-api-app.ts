import express, { type Express } from 'express';
import helmet from 'helmet';
import type { ApiDeps } from './deps.js';
import { mountApi } from './mount-api.js';

/** A stand-alone API app (tests, benchmarks): helmet, then the v1 API. The service's app adds ops endpoints. */
export function createApiApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(helmet());
  mountApi(app, deps);
  return app;
}
