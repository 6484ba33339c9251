/**
 * JSON logging for every service (pino). Redaction is on by default and covers authorization and cookie headers,
 * tokens, passwords, secrets and keys at any nesting depth we log; the red line is that no secret or token ever
 * reaches a log line. PII values must not be logged at all: log entity types, counts and offsets instead.
 */
import { context, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';

export type Logger = PinoLogger;

/** Key names whose values are always secret, wherever they appear. */
export const SECRET_KEYS = [
  'password', 'passwd', 'pass', 'secret', 'token', 'accessToken', 'access_token', 'refreshToken', 'refresh_token',
  'idToken', 'id_token', 'apiKey', 'api_key', 'apikey', 'privateKey', 'private_key', 'secretAccessKey',
  'clientSecret', 'client_secret', 'authorization', 'cookie', 'set-cookie', 'signingSecret', 'sessionToken',
  'credentials', 'x-api-key',
] as const;

const HEADER_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie', 'headers["set-cookie"]',
  'headers["x-api-key"]', 'headers["proxy-authorization"]',
];

const keyPath = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`);
const join = (prefix: string, k: string) => {
  const p = keyPath(k);
  return p.startsWith('[') ? `${prefix}${p}` : `${prefix}.${p}`;
};

/**
 * Redaction paths: each secret key at the top level and up to three levels down (pino's redaction matches
 * explicit shapes, so depth is spelled out).
 */
export function redactPaths(extra: readonly string[] = []): string[] {
  const out = new Set<string>(HEADER_PATHS);
  for (const k of SECRET_KEYS) {
    out.add(keyPath(k));
    out.add(join('*', k));
    out.add(join('*.*', k));
    out.add(join('*.*.*', k));
  }
  for (const p of extra) out.add(p);
  return [...out];
}

export interface CreateLoggerOptions {
  service: string;
  instance?: string;
  level?: string;
  /** Additional redaction paths specific to one service. */
  redact?: readonly string[];
  /** Output stream (default: stdout). Tests pass an in-memory stream. */
  destination?: DestinationStream;
}

export const REDACTED = '[redacted]';

export function createLogger(opts: CreateLoggerOptions): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base: { service: opts.service, instance: opts.instance ?? process.env.DPH_SERVICE_INSTANCE ?? undefined },
    redact: { paths: redactPaths(opts.redact), censor: REDACTED },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    // Every line written inside a span carries its ids, so logs join traces (and audit rows' trace_id).
    mixin() {
      const sc = trace.getSpanContext(context.active());
      return sc && trace.isSpanContextValid(sc) ? { traceId: sc.traceId, spanId: sc.spanId } : {};
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that writes nothing: for unit tests of code that takes a Logger. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
