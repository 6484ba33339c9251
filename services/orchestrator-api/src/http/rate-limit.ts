/**
 * Per-subject and per-scene rate limits shared across replicas through Redis (rate-limiter-flexible). Limiter keys
 * hold a hash of the subject, never the subject or a token, and expire with their window.
 *
 * Redis down: the limiter fails open onto an in-memory insurance limiter with the same budget per replica, so the
 * API keeps serving (each replica enforcing its own copy of the limit) instead of refusing all traffic because a
 * cache is unavailable. `degraded()` reports it for readiness details and metrics.
 */
import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateDecision {
  allowed: boolean;
  retryAfterSec: number;
  /** Which limit refused: 'subject' or 'scene'. */
  limit?: 'subject' | 'scene';
}

export interface RateLimits {
  check(subject: string, scene: string | undefined): Promise<RateDecision>;
}

export interface RateLimitSettings {
  subjectPoints: number;
  scenePoints: number;
  durationSec: number;
  /** Redis key prefix (default dph:rl); replicas of one deployment share it. */
  keyPrefix?: string;
}

export const hashSubject = (subject: string): string => createHash('sha256').update(`dph-rl:${subject}`).digest('hex').slice(0, 32);

function limiter(store: unknown, prefix: string, points: number, duration: number): RateLimiterAbstract {
  const insurance = new RateLimiterMemory({ keyPrefix: `${prefix}:mem`, points, duration });
  if (!store) return insurance;
  return new RateLimiterRedis({
    storeClient: store,
    keyPrefix: prefix,
    points,
    duration,
    // Do not queue commands while Redis is away: fall to the insurance limiter at once.
    rejectIfRedisNotReady: true,
    insuranceLimiter: insurance,
  });
}

async function consume(l: RateLimiterAbstract, key: string): Promise<number | null> {
  try {
    await l.consume(key);
    return null;
  } catch (e) {
    if (e instanceof RateLimiterRes) return Math.max(1, Math.ceil(e.msBeforeNext / 1000));
    // Neither Redis nor insurance answered: fail open (documented), never fail the request on the limiter.
    return null;
  }
}

/** `redis` is an ioredis client (rediss://, CA-verified) or null for memory-only limits (tests, development). */
export function createRateLimits(redis: unknown, s: RateLimitSettings): RateLimits {
  const prefix = s.keyPrefix ?? 'dph:rl';
  const bySubject = limiter(redis, `${prefix}:subject`, s.subjectPoints, s.durationSec);
  const byScene = limiter(redis, `${prefix}:scene`, s.scenePoints, s.durationSec);
  return {
    async check(subject, scene) {
      // Both budgets are charged in parallel (one Redis round trip of latency instead of two).
      const [a, b] = await Promise.all([consume(bySubject, hashSubject(subject)), scene ? consume(byScene, scene) : null]);
      if (a !== null) return { allowed: false, retryAfterSec: a, limit: 'subject' };
      if (b !== null) return { allowed: false, retryAfterSec: b, limit: 'scene' };
      return { allowed: true, retryAfterSec: 0 };
    },
  };
}
