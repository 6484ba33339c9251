import type { NextFunction, Request, Response } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { freshTraceparent, isValidTraceparent, traceIdOf } from '@dph/telemetry';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Request id and W3C trace context for every request: a caller's valid X-Request-Id / traceparent is kept,
 * otherwise fresh ones are made. Both are echoed on the response; the trace id goes with every audit event.
 */
export function requestContext(req: Request, res: Response, next: NextFunction): void {
  const given = req.get('x-request-id');
  const requestId = given && REQUEST_ID.test(given) ? given : uuidv7();
  const tp = req.get('traceparent');
  const traceparent = isValidTraceparent(tp) ? tp : freshTraceparent();
  res.locals.requestId = requestId;
  res.locals.traceparent = traceparent;
  res.locals.traceId = traceIdOf(traceparent);
  res.setHeader('X-Request-Id', requestId);
  res.setHeader('traceparent', traceparent);
  next();
}
