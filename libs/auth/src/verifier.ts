import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { AuthenticationError, IdentityProviderUnavailableError, type AuthFailureReason } from './errors.js';
import { IssuerMetadataCache } from './issuer-metadata.js';
import { JwksCache, type FetchLike, type JwksCacheState } from './jwks-cache.js';
import { principalFromClaims, type Principal } from './principal.js';
import { insecureIssuerAllowed, type AuthSettings } from './settings.js';

export interface TokenVerifier {
  readonly mode: AuthSettings['mode'];
  /** Verifies an `Authorization` header value. Throws AuthenticationError (401) or IdentityProviderUnavailableError (503). */
  verify(authorization: string | undefined): Promise<Principal>;
  /** Discovery + first JWKS fetch; false when the provider could not be reached (readiness reports it). */
  warm(): Promise<boolean>;
  state(): { metadata: boolean; jwks: JwksCacheState | null };
}

export interface VerifierDeps {
  fetch?: FetchLike;
  now?: () => number;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/;
const REQUIRED_CLAIMS = ['iss', 'aud', 'exp', 'sub'];

export function extractBearer(authorization: string | undefined, maxTokenBytes: number): string {
  if (authorization === undefined || authorization === '') throw new AuthenticationError('missing_token');
  // Checked before the pattern so an oversized header costs no regex work.
  if (authorization.length > maxTokenBytes + 7) throw new AuthenticationError('token_too_large');
  const m = BEARER.exec(authorization);
  if (!m?.[1]) throw new AuthenticationError('malformed_header');
  return m[1];
}

function reasonFor(err: unknown): AuthFailureReason {
  if (err instanceof joseErrors.JWTExpired) return 'expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return 'missing_claim';
    if (err.claim === 'iss') return 'issuer_mismatch';
    if (err.claim === 'aud') return 'audience_mismatch';
    if (err.claim === 'nbf' || err.claim === 'iat') return 'not_yet_valid';
    return 'invalid_claim';
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm_not_allowed';
  if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) return 'unknown_key';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad_signature';
  return 'malformed_token';
}

/** OIDC bearer verification: discovery metadata and JWKS both cached with a last-known-good fallback. */
export function createOidcVerifier(settings: AuthSettings, deps: VerifierDeps = {}): TokenVerifier {
  const now = deps.now ?? Date.now;
  const allowInsecure = insecureIssuerAllowed(new URL(settings.issuer), settings.env);
  const metadata = new IssuerMetadataCache({
    issuer: settings.issuer,
    audience: settings.audience,
    allowInsecure,
    refreshMs: settings.discoveryRefreshMs,
    retryAfterFailureMs: Math.max(settings.jwksCooldownMs, 1_000),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    now,
  });
  let jwks: { uri: string; cache: JwksCache } | null = null;

  const keysFor = (uri: URL): JwksCache => {
    if (jwks?.uri !== uri.href) {
      jwks = {
        uri: uri.href,
        cache: new JwksCache(uri, {
          cooldownMs: settings.jwksCooldownMs,
          refreshMs: settings.jwksRefreshMs,
          maxStaleMs: settings.jwksMaxStaleMs,
          timeoutMs: settings.jwksTimeoutMs,
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
          now,
        }),
      };
    }
    return jwks.cache;
  };

  return {
    mode: 'oidc',
    async verify(authorization) {
      const token = extractBearer(authorization, settings.maxTokenBytes);
      let header;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw new AuthenticationError('malformed_token');
      }
      // Refuse disallowed algorithms before any key lookup: an attacker's `alg` must not cause a JWKS fetch.
      if (typeof header.alg !== 'string' || !settings.algorithms.includes(header.alg)) {
        throw new AuthenticationError('algorithm_not_allowed');
      }
      const meta = await metadata.get();
      const keys = keysFor(meta.jwksUri);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys.resolve, {
          issuer: meta.issuer,
          audience: settings.audience,
          algorithms: [...settings.algorithms],
          clockTolerance: settings.clockToleranceSec,
          requiredClaims: REQUIRED_CLAIMS,
          currentDate: new Date(now()),
        }));
      } catch (err) {
        if (err instanceof IdentityProviderUnavailableError) throw err;
        throw new AuthenticationError(reasonFor(err));
      }
      const principal = principalFromClaims(payload, settings.scenesClaim, settings.rolesClaim);
      if (!principal) throw new AuthenticationError('no_subject');
      return principal;
    },
    async warm() {
      try {
        const meta = await metadata.refresh();
        return await keysFor(meta.jwksUri).warm();
      } catch {
        return false;
      }
    },
    state() {
      return { metadata: metadata.peek() !== null, jwks: jwks?.cache.state() ?? null };
    },
  };
}
