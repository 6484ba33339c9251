/**
 * Mounts the v1 API on an express app (after helmet and the operational endpoints): request context, auth-mode
 * marker, OpenAPI document, deny-by-default authentication, rate limits, routes, 405 with Allow, problem+json.
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { ERROR_CODES } from '@dph/contracts';
import { DphError, isDphError } from '@dph/errors';
import type { ApiDeps } from './deps.js';
import { authenticate, rateLimit, trustAllMarker } from './middleware.js';
import { problem, sendProblem } from './problem.js';
import { requestContext } from './request-context.js';
import { jobRoutes } from './routes/jobs.js';
import { auditRoutes } from './routes/audit.js';
import { webhookRoutes } from './routes/webhooks.js';

/** Operational and public paths that carry no bearer token. */
export const PUBLIC_PATHS = new Set(['/livez', '/readyz', '/metrics', '/openapi.json']);

interface BodyParserError {
  type?: string;
  status?: number;
}

function mapError(err: unknown): unknown {
  if (isDphError(err)) return err;
  const e = err as BodyParserError;
  if (e?.type === 'entity.too.large') return problem(ERROR_CODES.payloadTooLarge, 413, 'request body too large');
  if (e?.type === 'entity.parse.failed') return problem(ERROR_CODES.validationFailed, 400, 'request body is not valid JSON');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return problem(ERROR_CODES.unsupportedMediaType, 415, 'unsupported body encoding');
  }
  if (e?.type === 'request.aborted') return problem(ERROR_CODES.validationFailed, 400, 'request aborted');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return problem(ERROR_CODES.validationFailed, 400, 'malformed request');
  }
  return err;
}

export function mountApi(app: Express, deps: ApiDeps): void {
  app.use(requestContext);
  app.use(trustAllMarker(deps));
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(deps.openapiJson);
  });

  const api = express.Router({ caseSensitive: true, strict: false });
  api.use(authenticate(deps));
  api.use(rateLimit(deps));
  api.use(express.json({ limit: deps.settings.maxJsonBytes, type: ['application/json', 'application/*+json'], strict: true }));
  jobRoutes(api, deps);
  auditRoutes(api, deps);
  webhookRoutes(api, deps);

  // Declared paths with undeclared methods: 405 + Allow (before authentication, nothing is revealed by it).
  for (const op of deps.openapi.operations.values()) {
    const allow = deps.openapi.allowedMethods(op.path).join(', ');
    app.all(op.expressPath, (req: Request, res: Response, next: NextFunction) => {
      if (allow.split(', ').includes(req.method)) return next();
      res.setHeader('Allow', allow);
      sendProblem(res, problem(ERROR_CODES.methodNotAllowed, 405, `${req.method} is not allowed here`));
    });
  }
  app.use((req, res, next) => (req.path.startsWith('/v1/') ? api(req, res, next) : next()));
  app.use((_req: Request, res: Response) => sendProblem(res, problem(ERROR_CODES.notFound, 404, 'no such resource')));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const mapped = mapError(err);
    if (!(mapped instanceof DphError) || mapped.status >= 500) {
      deps.logger.error({ errName: (err as Error)?.name, code: (err as { code?: unknown })?.code, requestId: res.locals.requestId }, 'request failed');
    }
    sendProblem(res, mapped);
  });
}
