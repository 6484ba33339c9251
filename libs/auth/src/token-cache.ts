/**
 * A cache of verified bearer tokens in front of an OIDC verifier: API clients send the same token on every request
 * for its whole lifetime, and checking its signature each time is most of the cost of authentication.
 *
 * - Keyed by a SHA-256 of the Authorization header value: the token itself is never kept, logged or compared.
 * - Only successful verifications are remembered; every failure (expired, bad signature, unknown key, IdP down)
 *   goes through the full verifier each time, exactly as without the cache.
 * - An entry is trusted until the token's own `exp` (without the clock tolerance the verifier allows) and at most
 *   maxAgeMs after it was verified, so a key withdrawn from the JWKS or an IdP outage past the JWKS staleness limit
 *   takes effect within maxAgeMs for tokens already seen.
 * - Bounded (least recently used entries dropped first), so a flood of distinct valid tokens cannot grow memory.
 */
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Principal } from './principal.js';
import type { TokenVerifier } from './verifier.js';

export interface TokenCacheOptions {
  /** Entries kept at most; 0 returns the verifier unchanged. */
  maxEntries: number;
  /** Longest an entry is trusted without verifying the token again (ms). */
  maxAgeMs: number;
  now?: () => number;
}

interface Entry {
  principal: Principal;
  /** Epoch ms after which the entry is not used. */
  until: number;
}

const keyOf = (authorization: string): string => createHash('sha256').update(authorization).digest('base64url');

function expiryMs(authorization: string): number | undefined {
  try {
    const exp = decodeJwt(authorization.slice(authorization.indexOf(' ') + 1).trim()).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export function withTokenCache(inner: TokenVerifier, opts: TokenCacheOptions): TokenVerifier {
  if (inner.mode !== 'oidc' || opts.maxEntries <= 0) return inner;
  const now = opts.now ?? Date.now;
  const cache = new LRUCache<string, Entry>({ max: opts.maxEntries });
  return {
    mode: inner.mode,
    warm: () => inner.warm(),
    state: () => inner.state(),
    async verify(authorization) {
      if (authorization === undefined || authorization === '') return inner.verify(authorization);
      const key = keyOf(authorization);
      const hit = cache.get(key);
      if (hit) {
        if (now() < hit.until) return hit.principal;
        cache.delete(key);
      }
      const verifiedAt = now();
      const principal = await inner.verify(authorization);
      // The verifier accepted it, so it is a well-formed JWT with an exp (a required claim).
      const exp = expiryMs(authorization);
      if (exp !== undefined) cache.set(key, { principal, until: Math.min(exp, verifiedAt + opts.maxAgeMs) });
      return principal;
    },
  };
}
