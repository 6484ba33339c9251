import {
  createLocalJWKSet, createRemoteJWKSet, customFetch, errors as joseErrors,
  type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters, type CryptoKey,
} from 'jose';
import { IdentityProviderUnavailableError } from './errors.js';

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface JwksCacheOptions {
  cooldownMs: number;
  refreshMs: number;
  maxStaleMs: number;
  timeoutMs: number;
  fetch?: FetchLike;
  now?: () => number;
}

export interface JwksCacheState {
  /** When the last JWKS was fetched successfully (epoch ms), or null. */
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  /** True while requests are served from the last good key set because the provider cannot be reached. */
  degraded: boolean;
}

export type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

/**
 * The issuer's signing keys. jose's remote set does the fetching, refresh (refreshMs), de-duplication of concurrent
 * fetches and the unknown-`kid` cooldown. What it does not do is keep serving keys once its cache is older than
 * its max age and the provider is down: this wrapper keeps the last good key set for maxStaleMs so an IdP outage
 * does not stop the API, and after a failed fetch it stays off the network for one cooldown so a flood of requests
 * (unknown `kid`s included) cannot turn into a flood of fetches against a provider that is down.
 */
export class JwksCache {
  private readonly remote: ReturnType<typeof createRemoteJWKSet>;
  private readonly now: () => number;
  private lastGood: { jwks: JSONWebKeySet; at: number; local: ReturnType<typeof createLocalJWKSet> } | null = null;
  private lastFailureAt: number | null = null;
  /** Time of the last 200 answer from the JWKS endpoint (recorded by the fetch wrapper). */
  private fetchedAt: number | null = null;

  constructor(jwksUri: URL, private readonly opts: JwksCacheOptions) {
    this.now = opts.now ?? Date.now;
    const base: FetchLike = opts.fetch ?? ((input, init) => fetch(input, init));
    const recording: FetchLike = async (input, init) => {
      const res = await base(input, init);
      if (res.status === 200) this.fetchedAt = this.now();
      return res;
    };
    this.remote = createRemoteJWKSet(jwksUri, {
      cooldownDuration: opts.cooldownMs,
      cacheMaxAge: opts.refreshMs,
      timeoutDuration: opts.timeoutMs,
      [customFetch]: recording,
    });
  }

  state(): JwksCacheState {
    return {
      lastSuccessAt: this.lastGood?.at ?? null,
      lastFailureAt: this.lastFailureAt,
      degraded: this.inFailureCooldown(),
    };
  }

  /** Fetches the key set now (start-up warm-up, readiness). Resolves false instead of throwing. */
  async warm(): Promise<boolean> {
    try {
      await this.remote.reload();
      this.remember();
      return true;
    } catch {
      this.lastFailureAt = this.now();
      return false;
    }
  }

  readonly resolve: KeyResolver = async (header, token) => {
    if (this.inFailureCooldown()) return this.fromLastGood(header, token, undefined);
    try {
      const key = await this.remote(header, token);
      this.remember();
      return key;
    } catch (err) {
      // A key set that was fetched but holds no matching key is an answer, not an outage.
      if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) {
        this.remember();
        throw err;
      }
      if (isKeyImportError(err)) throw err;
      // A 200 with an unusable body is a failure too: do not let it refresh the last-good timestamp.
      this.fetchedAt = this.lastGood?.at ?? null;
      this.lastFailureAt = this.now();
      return this.fromLastGood(header, token, err);
    }
  };

  private inFailureCooldown(): boolean {
    return this.lastFailureAt !== null && this.now() - this.lastFailureAt < Math.max(this.opts.cooldownMs, 1);
  }

  /** Snapshots the remote set after each successful fetch; cheap when nothing was fetched since. */
  private remember(): void {
    const at = this.fetchedAt;
    if (at === null || this.lastGood?.at === at) return;
    const jwks = this.remote.jwks();
    if (!jwks) return;
    this.lastGood = { jwks, at, local: createLocalJWKSet(jwks) };
    this.lastFailureAt = null;
  }

  private async fromLastGood(header: JWSHeaderParameters, token: FlattenedJWSInput, cause: unknown): Promise<CryptoKey> {
    const good = this.lastGood;
    if (!good || this.now() - good.at > this.opts.maxStaleMs) throw new IdentityProviderUnavailableError(cause);
    return good.local(header, token);
  }
}

function isKeyImportError(err: unknown): boolean {
  return err instanceof joseErrors.JOSENotSupported || err instanceof joseErrors.JWKInvalid;
}
