/**
 * A real, certified OpenID provider (npm oidc-provider) configured for machine identities: client_credentials
 * with a resource indicator, so access tokens are signed JWTs whose audience is the API and whose extra claims
 * carry the scene grants (`dph_scenes`) and roles (`dph_roles`) the API authorizes with.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import Provider from 'oidc-provider';
import type { DevClient } from './clients.js';

export interface ProviderOptions {
  issuer: string;
  audience: string;
  clients: DevClient[];
  signingKey: JWK;
  tokenTtlSec: number;
}

export function createProvider(o: ProviderOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const byId = new Map(o.clients.map((c) => [c.id, c]));
  const provider = new Provider(o.issuer, {
    clients: o.clients.map((c) => ({
      client_id: c.id,
      client_secret: c.secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: 'jobs',
    })),
    jwks: { keys: [o.signingKey] },
    scopes: ['jobs'],
    ttl: { ClientCredentials: o.tokenTtlSec },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => o.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'jobs',
          audience: o.audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: o.tokenTtlSec,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    extraTokenClaims: (_ctx: unknown, token: { clientId?: string }) => {
      const c = token.clientId ? byId.get(token.clientId) : undefined;
      return { dph_scenes: c?.scenes ?? [], dph_roles: c?.roles ?? [] };
    },
  });
  provider.proxy = false;
  return provider.callback();
}
