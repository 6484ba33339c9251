import { createHmac } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { SigningKey, TestIdp } from '../src/testing/index.js';
import type { AuthSettings } from '../src/index.js';

export function settingsFor(idp: TestIdp, over: Partial<AuthSettings> = {}): AuthSettings {
  return {
    mode: 'oidc',
    env: 'development',
    issuer: idp.issuer,
    audience: idp.audience,
    scenesClaim: 'dph_scenes',
    rolesClaim: 'dph_roles',
    algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    clockToleranceSec: 30,
    maxTokenBytes: 8192,
    jwksCooldownMs: 30_000,
    jwksRefreshMs: 600_000,
    jwksMaxStaleMs: 3_600_000,
    jwksTimeoutMs: 2_000,
    discoveryRefreshMs: 3_600_000,
    ...over,
  };
}

const nowSec = () => Math.floor(Date.now() / 1000);

/** A token the provider would not issue, signed with a key the test controls (the provider's own or another). */
export async function craft(
  key: SigningKey,
  idp: TestIdp,
  claims: JWTPayload & Record<string, unknown> = {},
  opts: { omit?: string[]; kid?: string } = {},
): Promise<string> {
  const body: Record<string, unknown> = {
    iss: idp.issuer,
    aud: idp.audience,
    sub: 'alice',
    iat: nowSec(),
    exp: nowSec() + 300,
    dph_scenes: ['credit'],
    ...claims,
  };
  for (const k of opts.omit ?? []) delete body[k];
  return new SignJWT(body).setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? key.kid, typ: 'at+jwt' }).sign(key.privateKey);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export function unsignedToken(idp: TestIdp): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: idp.issuer, aud: idp.audience, sub: 'alice', exp: nowSec() + 300 })}.`;
}

/** The classic key-confusion token: HS256 with the provider's public key (JWK JSON and PEM-like forms) as secret. */
export function hs256WithPublicKey(idp: TestIdp, secret: string): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: idp.signingKey.kid })}.${b64({
    iss: idp.issuer, aud: idp.audience, sub: 'alice', exp: nowSec() + 300, dph_scenes: ['credit'],
  })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
