import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/** The IdP's signing key, generated once and kept so tokens and cached JWKS survive a restart. */
export async function loadOrCreateSigningKey(stateDir: string): Promise<JWK> {
  const file = join(stateDir, 'signing-key.jwk.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: `dev-${Date.now().toString(36)}`, alg: 'RS256', use: 'sig' };
  writeFileSync(file, JSON.stringify(jwk) + '\n', { mode: 0o600 });
  return jwk;
}
