/** Delivery policy: what an HTTP answer means and when to try again. */
export interface RetryPolicy {
  /** Attempts per delivery before it is dead-lettered (the default: 5). */
  maxAttempts: number;
  /** First retry delay; doubles per attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Retry-After from a 429/503 is honoured up to this. */
  retryAfterCapMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 10_000,
  maxDelayMs: 60 * 60_000,
  retryAfterCapMs: 60 * 60_000,
};

export type AttemptVerdict =
  | { kind: 'success' }
  /** The endpoint says it is gone for good (410): disable it. */
  | { kind: 'gone' }
  | { kind: 'retry'; retryAfterMs?: number };

/**
 * Status-code etiquette: 2xx succeeds; 410 means unsubscribe; 3xx is a failure (never followed: a redirect is
 * how an endpoint would point us at an internal host); 429 and 503 may say when to come back; everything else,
 * 4xx included, is retried (receivers do briefly misdeploy) until the budget is spent.
 */
export function judgeResponse(status: number, retryAfter: string | undefined, policy: RetryPolicy, now = Date.now()): AttemptVerdict {
  if (status >= 200 && status < 300) return { kind: 'success' };
  if (status === 410) return { kind: 'gone' };
  if ((status === 429 || status === 503) && retryAfter !== undefined) {
    const ms = parseRetryAfter(retryAfter, now);
    if (ms !== undefined) return { kind: 'retry', retryAfterMs: Math.min(ms, policy.retryAfterCapMs) };
  }
  return { kind: 'retry' };
}

/** Retry-After is delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string, now = Date.now()): number | undefined {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Exponential backoff with "equal jitter": half the exponential step fixed, half random. A dozen lines of the
 * product's own schedule: the retry libraries wrap a function call in-process, whereas these retries are rows
 * with a due time that survive restarts, so only the delay arithmetic is needed.
 */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(step / 2 + random() * (step / 2));
}
