/**
 * The one error base of the product. Every error that crosses a module boundary is a DphError with a stable
 * `code` (part of the API contract: clients and runbooks key on it), an HTTP status for the API edge, and a
 * `retryable` flag that consumers use to choose between redelivery with backoff and the dead-letter queue.
 *
 * Messages must never carry PII values, secrets or tokens: they reach logs and problem+json bodies.
 */
export interface DphErrorOptions {
  status?: number;
  retryable?: boolean;
  cause?: unknown;
  /** Extra, non-sensitive fields that may be shown to clients (problem+json extension members). */
  details?: Record<string, unknown>;
}

export class DphError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: DphErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DphError';
    this.code = code;
    this.status = options.status ?? 500;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

export function isDphError(err: unknown): err is DphError {
  return err instanceof DphError;
}

/** Wraps anything thrown into a DphError without copying foreign messages (they may hold hosts, SQL or values). */
export function toDphError(err: unknown, fallbackCode = 'internal_error'): DphError {
  if (isDphError(err)) return err;
  return new DphError(fallbackCode, 'internal error', { status: 500, retryable: true, cause: err });
}

/** Configuration problems stop the process at start-up with one line naming the variable. */
export class ConfigError extends DphError {
  readonly variable: string;
  constructor(variable: string, expected: string) {
    super('invalid_config', `${variable}: ${expected}`, { status: 500, retryable: false });
    this.name = 'ConfigError';
    this.variable = variable;
  }
}
