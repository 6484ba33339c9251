import type { AuthSettings } from './settings.js';
import { createOidcVerifier, type TokenVerifier, type VerifierDeps } from './verifier.js';
import { createTrustAllVerifier } from './trust-all.js';
import { withTokenCache } from './token-cache.js';

export function createVerifier(settings: AuthSettings, deps: VerifierDeps = {}): TokenVerifier {
  if (settings.mode === 'trust-all') return createTrustAllVerifier(settings);
  const oidc = createOidcVerifier(settings, deps);
  // Off unless configured (DPH_OIDC_TOKEN_CACHE_SIZE): a verifier built from older settings behaves as before.
  if (!settings.tokenCacheSize) return oidc;
  return withTokenCache(oidc, {
    maxEntries: settings.tokenCacheSize,
    maxAgeMs: settings.tokenCacheMaxAgeMs ?? 300_000,
    ...(deps.now ? { now: deps.now } : {}),
  });
}
