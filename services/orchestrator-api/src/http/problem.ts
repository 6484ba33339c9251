import type { Response } from 'express';
import { DphError, isDphError } from '@dph/errors';
import { ERROR_CODES } from '@dph/contracts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Extension members a DphError may show to clients; anything else in `details` stays server-side. */
const PUBLIC_DETAILS = ['existingJobId', 'retryAfterSec', 'errors', 'limitBytes'] as const;

export interface ProblemExtras {
  errors?: { location: string; message: string }[];
  existingJobId?: string;
  retryAfterSec?: number;
}

/**
 * Writes an RFC 9457 problem. `detail` is the DphError message, which the error base guarantees holds no PII,
 * secret, SQL or host; errors that are not DphErrors never show their message (500 internal_error).
 */
export function sendProblem(res: Response, err: unknown): void {
  const e: DphError = isDphError(err)
    ? err
    : new DphError(ERROR_CODES.internalError, 'internal error', { status: 500 });
  const status = e.status >= 400 && e.status <= 599 ? e.status : 500;
  const internal = status >= 500 && status !== 502 && status !== 503;
  const body: Record<string, unknown> = {
    type: `https://docs.dph.invalid/errors/${internal ? ERROR_CODES.internalError : e.code}`,
    title: TITLES[status] ?? 'Error',
    status,
    error: internal ? ERROR_CODES.internalError : e.code,
    detail: internal ? 'internal error' : e.message,
    instance: res.req.originalUrl.split('?')[0],
  };
  const requestId = res.locals.requestId as string | undefined;
  if (requestId) body.requestId = requestId;
  for (const k of PUBLIC_DETAILS) {
    const v = e.details?.[k];
    if (v !== undefined && k !== 'limitBytes') body[k] = v;
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

export const problem = (code: string, status: number, message: string, details?: Record<string, unknown>) =>
  new DphError(code, message, { status, ...(details ? { details } : {}) });
