import type { AuthSettings } from './settings.js';
import { createOidcVerifier, type TokenVerifier, type VerifierDeps } from './verifier.js';
import { createTrustAllVerifier } from './trust-all.js';

export function createVerifier(settings: AuthSettings, deps: VerifierDeps = {}): TokenVerifier {
  return settings.mode === 'trust-all' ? createTrustAllVerifier(settings) : createOidcVerifier(settings, deps);
}
