/**
 * A real OpenID provider (npm oidc-provider) for tests, on loopback http (DPH_ENV=development is required to
 * accept it). Clients use the client_credentials grant with a resource indicator, so the access tokens are JWTs
 * signed by the provider with a key this harness generated and can hand to tests that craft attack tokens.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import type { IncomingMessage, ServerResponse } from 'node:http';

// oidc-provider ships no type declarations; this harness uses a small part of it, typed here.
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}
type ProviderCtor = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;
const OIDC_PROVIDER = 'oidc-provider';
const loadProvider = async (): Promise<ProviderCtor> => ((await import(OIDC_PROVIDER)) as { default: ProviderCtor }).default;

export interface TestIdpClient {
  id: string;
  scenes?: string[];
  roles?: string[];
}

export interface TestIdpOptions {
  audience?: string;
  clients: TestIdpClient[];
  /** Access-token lifetime in seconds (default 300). */
  tokenTtlSec?: number;
}

export interface SigningKey {
  kid: string;
  alg: 'RS256';
  privateJwk: JWK;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TestIdp {
  readonly issuer: string;
  readonly audience: string;
  readonly signingKey: SigningKey;
  /** Request paths the provider saw since start (or since the last reset). */
  readonly requests: string[];
  count(pathEndsWith: string): number;
  resetCounts(): void;
  /** A real client_credentials token for a configured client. */
  token(clientId: string): Promise<string>;
  /** Stops answering (simulated IdP outage); `resume` listens again on the same port. */
  stop(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

/** An RSA signing key with a chosen kid (tests use it for tokens the provider would never issue). */
export async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, alg: 'RS256', privateJwk, privateKey, publicJwk };
}

const secretOf = (id: string) => `secret-${id}-for-tests-only`;

export async function startTestIdp(options: TestIdpOptions): Promise<TestIdp> {
  const audience = options.audience ?? 'https://api.dph.test';
  const signingKey = await newSigningKey(`idp-${Date.now().toString(36)}`);
  const requests: string[] = [];
  let handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | null = null;
  const listener = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    requests.push(req.url ?? '');
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  };
  let server: Server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  const claims = new Map(options.clients.map((c) => [c.id, c]));

  const Provider = await loadProvider();
  const provider = new Provider(issuer, {
    clients: options.clients.map((c) => ({
      client_id: c.id,
      client_secret: secretOf(c.id),
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: 'jobs',
    })),
    jwks: { keys: [signingKey.privateJwk] },
    scopes: ['jobs'],
    ttl: { ClientCredentials: options.tokenTtlSec ?? 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'jobs',
          audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: options.tokenTtlSec ?? 300,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    extraTokenClaims: (_ctx: unknown, token: { clientId?: string }) => {
      const c = token.clientId ? claims.get(token.clientId) : undefined;
      return { dph_scenes: c?.scenes ?? [], dph_roles: c?.roles ?? [] };
    },
  });
  handler = provider.callback();

  const idp: TestIdp = {
    issuer,
    audience,
    signingKey,
    requests,
    count: (suffix) => requests.filter((p) => p.split('?')[0]?.endsWith(suffix)).length,
    resetCounts: () => {
      requests.length = 0;
    },
    async token(clientId) {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${secretOf(clientId)}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'jobs', resource: audience }),
      });
      const body = (await res.json()) as { access_token?: string; error?: string };
      if (!res.ok || !body.access_token) throw new Error(`test IdP refused a token: ${res.status} ${body.error ?? ''}`);
      return body.access_token;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
    async resume() {
      server = createServer(listener);
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    async close() {
      if (server.listening) await idp.stop();
    },
  };
  return idp;
}
