import { decodeJwt } from 'jose';
import { extractBearer, type TokenVerifier } from './verifier.js';
import { principalFromClaims, type Principal } from './principal.js';
import type { AuthSettings } from './settings.js';

export const TRUST_ALL_HEADER = 'X-DPH-Auth-Mode';
export const TRUST_ALL_SUBJECT = 'dev-user';

/**
 * Development only (settings refuse it with DPH_ENV=production): no signature is checked. A bearer JWT, if sent,
 * is decoded so developers can try scenes and roles; without one the caller is a dev user granted every scene.
 */
export function createTrustAllVerifier(settings: AuthSettings): TokenVerifier {
  if (settings.env === 'production') throw new Error('trust-all auth mode is refused in production');
  return {
    mode: 'trust-all',
    async verify(authorization): Promise<Principal> {
      if (authorization) {
        try {
          const claims = decodeJwt(extractBearer(authorization, settings.maxTokenBytes));
          const p = principalFromClaims(claims, settings.scenesClaim, settings.rolesClaim);
          if (p) return p;
        } catch {
          // fall through to the dev principal
        }
      }
      return Object.freeze({ subject: TRUST_ALL_SUBJECT, scenes: [], roles: [], allScenes: true });
    },
    async warm() {
      return true;
    },
    state() {
      return { metadata: true, jwks: null };
    },
  };
}
