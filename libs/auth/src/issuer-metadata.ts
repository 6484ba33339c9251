import * as oidc from 'openid-client';
import { IdentityProviderUnavailableError } from './errors.js';
import type { FetchLike } from './jwks-cache.js';

export interface IssuerMetadata {
  readonly issuer: string;
  readonly jwksUri: URL;
}

export interface IssuerMetadataOptions {
  issuer: string;
  /** Used as the client id openid-client requires; a resource server never authenticates with it. */
  audience: string;
  allowInsecure: boolean;
  refreshMs: number;
  retryAfterFailureMs: number;
  fetch?: FetchLike;
  now?: () => number;
}

/**
 * Issuer metadata from OpenID discovery (openid-client validates that the document's `issuer` equals the
 * configured one). The last good document is kept: a failed refresh never throws once one discovery succeeded,
 * so an IdP outage does not take the metadata away.
 */
export class IssuerMetadataCache {
  private current: { meta: IssuerMetadata; at: number } | null = null;
  private lastFailureAt: number | null = null;
  private pending: Promise<IssuerMetadata> | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: IssuerMetadataOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The cached metadata, refreshed in the background when older than refreshMs. */
  async get(): Promise<IssuerMetadata> {
    const cur = this.current;
    if (cur) {
      if (this.now() - cur.at > this.opts.refreshMs && !this.recentlyFailed()) void this.refresh().catch(() => {});
      return cur.meta;
    }
    if (this.recentlyFailed()) throw new IdentityProviderUnavailableError();
    return this.refresh();
  }

  peek(): IssuerMetadata | null {
    return this.current?.meta ?? null;
  }

  refresh(): Promise<IssuerMetadata> {
    this.pending ??= this.discover().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private recentlyFailed(): boolean {
    return this.lastFailureAt !== null && this.now() - this.lastFailureAt < this.opts.retryAfterFailureMs;
  }

  private async discover(): Promise<IssuerMetadata> {
    try {
      const config = await oidc.discovery(new URL(this.opts.issuer), this.opts.audience, undefined, undefined, {
        ...(this.opts.allowInsecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        ...(this.opts.fetch ? { [oidc.customFetch]: this.opts.fetch as never } : {}),
        timeout: 5,
      });
      const server = config.serverMetadata();
      if (!server.jwks_uri) throw new Error('discovery document has no jwks_uri');
      const jwksUri = new URL(server.jwks_uri);
      if (jwksUri.protocol !== 'https:' && !this.opts.allowInsecure) throw new Error('jwks_uri is not https');
      const meta = Object.freeze({ issuer: server.issuer, jwksUri });
      this.current = { meta, at: this.now() };
      this.lastFailureAt = null;
      return meta;
    } catch (err) {
      this.lastFailureAt = this.now();
      if (this.current) return this.current.meta;
      throw new IdentityProviderUnavailableError(err);
    }
  }
}
