import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AuthenticationError, TRUST_ALL_HEADER } from '@dph/auth';
import { ERROR_CODES } from '@dph/contracts';
import { DphError } from '@dph/errors';
import type { ApiDeps } from './deps.js';
import { auditMessage, type EventContext } from '../domain/events.js';
import { enqueueAlone } from '../data-access/jobs-repo.js';
import { problem, sendProblem } from './problem.js';
import type { CompiledOperation } from './openapi/validator.js';

export type Handler = (req: Request, res: Response) => Promise<void>;

export function eventContext(deps: ApiDeps, res: Response): EventContext {
  return {
    source: deps.settings.source,
    traceparent: res.locals.traceparent!,
    traceId: res.locals.traceId ?? null,
    now: deps.now?.() ?? new Date(),
  };
}

/**
 * Every denial is an audit event (`access_denied`): who (subject, or `anonymous`), which route template, why.
 * Never the token, the raw path or the job id the caller guessed at. Best effort: a failure to record it is
 * logged and does not change the answer.
 */
export function auditDenial(
  deps: ApiDeps,
  req: Request,
  res: Response,
  reason: string,
  status: number,
  extra: { tenantScene?: string | null; jobId?: string | null } = {},
): void {
  // "GET /v1/jobs/:jobId": the operation as a whole, never a bare path that a client (or a crawler of the
  // trail, such as an API fuzzer following URLs in responses) would take for a link to call.
  const route = `${req.method} ${(req.route?.path as string | undefined) ?? 'unmatched'}`;
  const msg = auditMessage('access_denied', {
    jobId: extra.jobId ?? null,
    tenantScene: extra.tenantScene ?? null,
    actor: res.locals.principal?.subject ?? 'anonymous',
    payload: { reason, status, method: req.method, route },
  }, eventContext(deps, res));
  enqueueAlone(deps.pool, [msg]).catch((err: unknown) =>
    deps.logger.warn({ errName: (err as Error)?.name, reason }, 'could not record access_denied audit event'));
}

export function authenticate(deps: ApiDeps): RequestHandler {
  return async (req, res, next) => {
    try {
      res.locals.principal = await deps.verifier.verify(req.get('authorization'));
      next();
    } catch (err) {
      if (err instanceof AuthenticationError) {
        res.setHeader('WWW-Authenticate', err.challenge);
        auditDenial(deps, req, res, err.reason, 401);
      } else if (err instanceof DphError && err.status === 503) {
        res.setHeader('Retry-After', '5');
      }
      sendProblem(res, err);
    }
  };
}

export function trustAllMarker(deps: ApiDeps): RequestHandler {
  return (_req, res, next) => {
    if (deps.verifier.mode === 'trust-all') res.setHeader(TRUST_ALL_HEADER, 'trust-all');
    next();
  };
}

export function rateLimit(deps: ApiDeps): RequestHandler {
  return async (req, res, next) => {
    const p = res.locals.principal;
    if (!p) return next();
    const scene = req.get('x-tenant-scene') ?? undefined;
    const d = await deps.limits.check(p.subject, scene && /^[a-z0-9][a-z0-9_-]{0,62}$/.test(scene) ? scene : undefined);
    if (d.allowed) return next();
    res.setHeader('Retry-After', String(d.retryAfterSec));
    sendProblem(res, problem(ERROR_CODES.rateLimited, 429, `rate limit per ${d.limit} exceeded`, { retryAfterSec: d.retryAfterSec }));
  };
}

/** Parameters (and a JSON body, when the operation has one) against the OpenAPI document. */
export function validateRequest(deps: ApiDeps, op: CompiledOperation): RequestHandler {
  return (req, res, next) => {
    const query = { ...(req.query as Record<string, unknown>) };
    const params = { ...req.params };
    const issues = deps.openapi.validateParameters(op, { params, query, headers: req.headers });
    if (issues.length === 0 && op.bodies.size > 0) {
      const declared = [...op.bodies.keys()];
      if (!req.is(declared)) {
        return sendProblem(res, problem(ERROR_CODES.unsupportedMediaType, 415, `content type must be one of ${declared.join(', ')}`));
      }
      if (req.is('application/json')) issues.push(...deps.openapi.validateBody(op, 'application/json', req.body));
    }
    if (issues.length > 0) {
      return sendProblem(res, problem(ERROR_CODES.validationFailed, 400, 'request does not match the API contract', { errors: issues }));
    }
    res.locals.query = query;
    res.locals.params = params;
    next();
  };
}

export const wrap = (h: Handler): RequestHandler => (req, res, next: NextFunction) => {
  h(req, res).catch(next);
};
