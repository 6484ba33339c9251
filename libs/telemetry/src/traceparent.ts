/** W3C trace context helpers used by messaging and HTTP code. */
import { randomBytes } from 'node:crypto';
import { context, propagation, trace, isSpanContextValid, type Context, type Span } from '@opentelemetry/api';
import { ensureTracing, getTracer } from './tracing.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export function isValidTraceparent(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = TRACEPARENT.exec(value);
  return !!m && m[1] !== ZERO_TRACE && m[2] !== ZERO_SPAN;
}

/** The trace id of a traceparent, or null when it is not a valid one. */
export function traceIdOf(traceparent: unknown): string | null {
  if (!isValidTraceparent(traceparent)) return null;
  return traceparent.slice(3, 35);
}

/** A fresh, valid, sampled traceparent (new trace id and span id). */
export function freshTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/** The traceparent of the active span; a fresh one when no span is active, so every operation has a trace id. */
export function currentTraceparent(): string {
  const sc = trace.getSpanContext(context.active());
  if (sc && isSpanContextValid(sc)) {
    return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
  }
  return freshTraceparent();
}

/** Trace headers of the active context (traceparent always present; tracestate when there is one). */
export function traceHeaders(): Record<string, string> {
  ensureTracing();
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (!isValidTraceparent(carrier.traceparent)) carrier.traceparent = currentTraceparent();
  return carrier;
}

type HeaderBag = Record<string, unknown> | undefined | null;

function toCarrier(headers: HeaderBag): Record<string, string> {
  const carrier: Record<string, string> = {};
  if (!headers) return carrier;
  for (const [k, v] of Object.entries(headers)) {
    const val = Array.isArray(v) ? v[0] : v;
    if (typeof val === 'string') carrier[k.toLowerCase()] = val;
    else if (Buffer.isBuffer(val)) carrier[k.toLowerCase()] = val.toString('utf8');
  }
  return carrier;
}

/** The context described by incoming headers (HTTP or AMQP); the active context when they carry none. */
export function extractContext(headers: HeaderBag): Context {
  ensureTracing();
  return propagation.extract(context.active(), toCarrier(headers));
}

/**
 * Runs `fn` inside a new span whose parent is the trace context carried by `headers` (a root span when there is
 * none), so logs and outgoing messages inside `fn` carry the same trace id as the message or request.
 */
export function withExtractedContext<T>(
  headers: HeaderBag,
  fn: (span: Span) => Promise<T> | T,
  spanName = 'dph.handle',
): Promise<T> {
  const parent = extractContext(headers);
  return getTracer('@dph/telemetry').startActiveSpan(spanName, {}, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({ code: 2 });
      throw err;
    } finally {
      span.end();
    }
  });
}
