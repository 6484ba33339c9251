/**
 * The JWT attack list against the running API. Tokens with valid signatures but bad claims are signed with the
 * development IdP's own key (read from its state folder, as only a test on the local stack can), so each case
 * exercises the claim check itself rather than failing on the signature.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { createHmac, createPublicKey } from 'node:crypto';
import { devAccessToken, oidcSettings } from '@dph/testkit';
import { expectStatus, type CheckResult } from '../check.js';
import { call } from '../http.js';

const now = () => Math.floor(Date.now() / 1000);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export async function jwtChecks(): Promise<CheckResult[]> {
  const o = oidcSettings();
  const jwk = JSON.parse(readFileSync(join(o.stateDir, 'signing-key.jwk.json'), 'utf8')) as JWK;
  const idpKey = await importJWK(jwk, 'RS256');
  const base: JWTPayload & Record<string, unknown> = { iss: o.issuer, aud: o.audience, sub: 'alice', dph_scenes: ['credit'] };
  const sign = (claims: Record<string, unknown>, omit: string[] = [], kid = jwk.kid) => {
    const body: Record<string, unknown> = { ...base, iat: now(), exp: now() + 300, ...claims };
    for (const k of omit) delete body[k];
    return new SignJWT(body).setProtectedHeader({ alg: 'RS256', kid: kid ?? '', typ: 'at+jwt' }).sign(idpKey);
  };
  const probe = (token: string) => call('GET', '/v1/jobs', { token, scene: 'credit' });
  const out: CheckResult[] = [];
  const run = async (name: string, token: string, want: number | number[]) => {
    const r = await probe(token);
    const challenge = r.headers.get('www-authenticate') ?? '';
    out.push(expectStatus(`jwt: ${name}`, r.status, want, r.status === 401 && !challenge ? '(no WWW-Authenticate)' : ''));
    if (r.status === 401 && !challenge) out[out.length - 1]!.ok = false;
  };

  await run('valid token accepted (control)', await devAccessToken('alice'), 200);
  await run('alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...base, exp: now() + 300 })}.`, 401);
  const publicPem = createPublicKey({ key: jwk as unknown as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const hsInput = `${b64({ alg: 'HS256', typ: 'JWT', kid: jwk.kid })}.${b64({ ...base, exp: now() + 300 })}`;
  await run('HS256 signed with the public key', `${hsInput}.${createHmac('sha256', publicPem).update(hsInput).digest('base64url')}`, 401);
  await run('wrong issuer', await sign({ iss: 'https://evil.example' }), 401);
  await run('wrong audience', await sign({ aud: 'https://other-api.example' }), 401);
  await run('expired', await sign({ iat: now() - 7200, exp: now() - 3600 }), 401);
  await run('nbf in the future', await sign({ nbf: now() + 3600 }), 401);
  await run('no exp', await sign({}, ['exp']), 401);
  const { privateKey: foreign } = await generateKeyPair('RS256');
  const foreignToken = await new SignJWT({ ...base, iat: now(), exp: now() + 300 })
    .setProtectedHeader({ alg: 'RS256', kid: 'unknown-kid-attack' })
    .sign(foreign);
  await run('unknown kid', foreignToken, 401);
  const huge = await sign({ padding: 'x'.repeat(17 * 1024) });
  await run('header over 16 KB', huge, [401, 431]);
  return out;
}
