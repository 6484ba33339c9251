import { z } from 'zod';
import { ConfigError } from '@dph/errors';

/**
 * Algorithms a token may be signed with. Only asymmetric ones: a symmetric (HS*) key would have to be shared with
 * the identity provider, and `none` is never a signature.
 */
export const SUPPORTED_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
] as const;
export const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

export const AUTH_MODES = ['oidc', 'trust-all'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];
export type DeploymentEnv = 'development' | 'test' | 'production';

export interface AuthSettings {
  readonly mode: AuthMode;
  readonly env: DeploymentEnv;
  /** Issuer URL (discovery base). Required in oidc mode. */
  readonly issuer: string;
  /** Expected `aud`: this API's resource identifier. */
  readonly audience: string;
  readonly scenesClaim: string;
  readonly rolesClaim: string;
  readonly algorithms: readonly string[];
  readonly clockToleranceSec: number;
  /** Bearer tokens longer than this are refused before any parsing (401). */
  readonly maxTokenBytes: number;
  /** Minimum time between two JWKS fetches triggered by an unknown `kid` (or after a failed fetch). */
  readonly jwksCooldownMs: number;
  /** A JWKS older than this is refreshed on the next request. */
  readonly jwksRefreshMs: number;
  /** How long the last good JWKS stays usable while the identity provider cannot be reached. */
  readonly jwksMaxStaleMs: number;
  readonly jwksTimeoutMs: number;
  /** Discovery metadata is re-read this often; a failed refresh keeps the previous metadata. */
  readonly discoveryRefreshMs: number;
  /**
   * Verified tokens remembered (by a SHA-256 of the header value, never the token) so a repeated bearer token skips
   * signature verification; 0 or absent: no cache. See token-cache.ts.
   */
  readonly tokenCacheSize?: number;
  /** Longest a remembered token is trusted before its signature is checked again (never past its `exp`). */
  readonly tokenCacheMaxAgeMs?: number;
}

const FIFTEEN_MINUTES = 15 * 60_000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

const csv = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  DPH_ENV: z.enum(['development', 'test', 'production']).default('production'),
  DPH_AUTH_MODE: z.enum(AUTH_MODES).default('oidc'),
  DPH_OIDC_ISSUER: z.string().optional(),
  DPH_OIDC_AUDIENCE: z.string().min(1).optional(),
  DPH_OIDC_SCENES_CLAIM: z.string().min(1).default('dph_scenes'),
  DPH_OIDC_ROLES_CLAIM: z.string().min(1).default('dph_roles'),
  DPH_OIDC_ALGORITHMS: z.string().default(DEFAULT_ALGORITHMS.join(',')),
  DPH_OIDC_CLOCK_TOLERANCE_SEC: int(0, 60).default(30),
  DPH_OIDC_MAX_TOKEN_BYTES: int(512, 16_384).default(8_192),
  DPH_OIDC_JWKS_COOLDOWN_MS: int(0, 3_600_000).default(30_000),
  DPH_OIDC_JWKS_REFRESH_MS: int(1_000, 86_400_000).default(600_000),
  DPH_OIDC_JWKS_MAX_STALE_MS: int(0, 7 * 86_400_000).default(3_600_000),
  DPH_OIDC_JWKS_TIMEOUT_MS: int(100, 60_000).default(5_000),
  DPH_OIDC_DISCOVERY_REFRESH_MS: int(1_000, 7 * 86_400_000).default(3_600_000),
  DPH_OIDC_TOKEN_CACHE_SIZE: int(0, 1_000_000).default(0),
  DPH_OIDC_TOKEN_CACHE_MAX_AGE_MS: int(1_000, 3_600_000).default(300_000),
});

/** True when an `http://` issuer is acceptable: loopback host and a development deployment only. */
export function insecureIssuerAllowed(issuer: URL, env: DeploymentEnv): boolean {
  return issuer.protocol === 'http:' && env === 'development' && LOOPBACK_HOSTS.has(issuer.hostname);
}

/**
 * Parses the auth settings from already-resolved environment values (the service's config loader handles `_FILE`).
 * Throws a ConfigError naming the variable on the first bad value.
 */
export function parseAuthSettings(env: Record<string, string | undefined>): AuthSettings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? 'DPH_AUTH'), issue?.message ?? 'invalid value');
  }
  const e = parsed.data;
  if (e.DPH_AUTH_MODE === 'trust-all' && e.DPH_ENV === 'production') {
    throw new ConfigError('DPH_AUTH_MODE', 'trust-all is refused when DPH_ENV=production');
  }
  const algorithms = csv(e.DPH_OIDC_ALGORITHMS);
  const bad = algorithms.find((a) => !(SUPPORTED_ALGORITHMS as readonly string[]).includes(a));
  if (algorithms.length === 0 || bad !== undefined) {
    throw new ConfigError('DPH_OIDC_ALGORITHMS', `asymmetric JWS algorithms only (${SUPPORTED_ALGORITHMS.join(', ')})`);
  }
  if (e.DPH_ENV === 'production' && e.DPH_OIDC_JWKS_MAX_STALE_MS < FIFTEEN_MINUTES) {
    throw new ConfigError('DPH_OIDC_JWKS_MAX_STALE_MS', 'at least 900000 (15 minutes of IdP outage) in production');
  }
  let issuer = '';
  let audience = '';
  if (e.DPH_AUTH_MODE === 'oidc') {
    if (!e.DPH_OIDC_ISSUER) throw new ConfigError('DPH_OIDC_ISSUER', 'required when DPH_AUTH_MODE=oidc');
    if (!e.DPH_OIDC_AUDIENCE) throw new ConfigError('DPH_OIDC_AUDIENCE', 'required when DPH_AUTH_MODE=oidc');
    let url: URL;
    try {
      url = new URL(e.DPH_OIDC_ISSUER);
    } catch {
      throw new ConfigError('DPH_OIDC_ISSUER', 'an absolute https URL');
    }
    if (url.protocol !== 'https:' && !insecureIssuerAllowed(url, e.DPH_ENV)) {
      throw new ConfigError('DPH_OIDC_ISSUER', 'https only (http only on loopback with DPH_ENV=development)');
    }
    issuer = e.DPH_OIDC_ISSUER;
    audience = e.DPH_OIDC_AUDIENCE;
  }
  return Object.freeze({
    mode: e.DPH_AUTH_MODE,
    env: e.DPH_ENV,
    issuer,
    audience,
    scenesClaim: e.DPH_OIDC_SCENES_CLAIM,
    rolesClaim: e.DPH_OIDC_ROLES_CLAIM,
    algorithms: Object.freeze(algorithms),
    clockToleranceSec: e.DPH_OIDC_CLOCK_TOLERANCE_SEC,
    maxTokenBytes: e.DPH_OIDC_MAX_TOKEN_BYTES,
    jwksCooldownMs: e.DPH_OIDC_JWKS_COOLDOWN_MS,
    jwksRefreshMs: e.DPH_OIDC_JWKS_REFRESH_MS,
    jwksMaxStaleMs: e.DPH_OIDC_JWKS_MAX_STALE_MS,
    jwksTimeoutMs: e.DPH_OIDC_JWKS_TIMEOUT_MS,
    discoveryRefreshMs: e.DPH_OIDC_DISCOVERY_REFRESH_MS,
    tokenCacheSize: e.DPH_OIDC_TOKEN_CACHE_SIZE,
    tokenCacheMaxAgeMs: e.DPH_OIDC_TOKEN_CACHE_MAX_AGE_MS,
  });
}
