import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { startTestIdp, newSigningKey, type TestIdp } from '../src/testing/index.js';
import {
  AuthenticationError, IdentityProviderUnavailableError, createOidcVerifier, type TokenVerifier,
} from '../src/index.js';
import { craft, hs256WithPublicKey, settingsFor, sleep, unsignedToken } from './helpers.js';

let idp: TestIdp;
let verifier: TokenVerifier;

before(async () => {
  idp = await startTestIdp({
    clients: [
      { id: 'alice', scenes: ['credit', 'hr'] },
      { id: 'ops', scenes: [], roles: ['operator:credit', 'auditor:*', 'bogus:x', 'operator:Bad Scene'] },
    ],
  });
  verifier = createOidcVerifier(settingsFor(idp));
  assert.equal(await verifier.warm(), true);
});
after(async () => idp.close());

async function rejects(token: string, reason: string, v: TokenVerifier = verifier) {
  await assert.rejects(v.verify(`Bearer ${token}`), (err: unknown) => {
    assert.ok(err instanceof AuthenticationError, `expected AuthenticationError, got ${String(err)}`);
    assert.equal(err.reason, reason);
    assert.equal(err.status, 401);
    assert.match(err.challenge, /^Bearer realm="dph", error="invalid_token"/);
    return true;
  });
}

test('a token issued by the provider (client_credentials, JWT access token) yields the principal', async () => {
  const p = await verifier.verify(`Bearer ${await idp.token('alice')}`);
  assert.equal(p.subject, 'alice');
  assert.deepEqual(p.scenes, ['credit', 'hr']);
  assert.deepEqual(p.roles, []);
  const ops = await verifier.verify(`Bearer ${await idp.token('ops')}`);
  // malformed role entries grant nothing
  assert.deepEqual(ops.roles, [{ role: 'operator', scene: 'credit' }, { role: 'auditor', scene: '*' }]);
});

test('missing or malformed Authorization header', async () => {
  await assert.rejects(verifier.verify(undefined), (e: AuthenticationError) => {
    assert.equal(e.reason, 'missing_token');
    assert.equal(e.challenge, 'Bearer realm="dph"');
    return true;
  });
  await assert.rejects(verifier.verify('Basic YWxpY2U6cHc='), { reason: 'malformed_header' });
  await assert.rejects(verifier.verify('Bearer not-a-jwt'), { reason: 'malformed_token' });
});

test('alg none is refused', async () => rejects(unsignedToken(idp), 'algorithm_not_allowed'));

test('HS256 signed with the provider public key is refused', async () => {
  const pem = createPublicKey({ key: idp.signingKey.publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  await rejects(hs256WithPublicKey(idp, String(pem)), 'algorithm_not_allowed');
  await rejects(hs256WithPublicKey(idp, JSON.stringify(idp.signingKey.publicJwk)), 'algorithm_not_allowed');
});

test('wrong issuer and wrong audience are refused even with a valid signature', async () => {
  await rejects(await craft(idp.signingKey, idp, { iss: 'https://evil.example' }), 'issuer_mismatch');
  await rejects(await craft(idp.signingKey, idp, { aud: 'https://other-api.example' }), 'audience_mismatch');
});

test('expiry beyond the clock tolerance is refused; within it accepted', async () => {
  const now = Math.floor(Date.now() / 1000);
  await rejects(await craft(idp.signingKey, idp, { exp: now - 120 }), 'expired');
  const p = await verifier.verify(`Bearer ${await craft(idp.signingKey, idp, { exp: now - 5 })}`);
  assert.equal(p.subject, 'alice');
});

test('nbf in the future is refused', async () => {
  await rejects(await craft(idp.signingKey, idp, { nbf: Math.floor(Date.now() / 1000) + 600 }), 'not_yet_valid');
});

test('exp, iss, aud and sub are required', async () => {
  for (const claim of ['exp', 'iss', 'aud', 'sub']) {
    await rejects(await craft(idp.signingKey, idp, {}, { omit: [claim] }), 'missing_claim');
  }
});

test('a forged signature under the provider kid is refused', async () => {
  const attacker = await newSigningKey(idp.signingKey.kid);
  await rejects(await craft(attacker, idp), 'bad_signature');
});

test('a token over the size limit is refused before parsing', async () => {
  const big = await craft(idp.signingKey, idp, { pad: 'x'.repeat(17 * 1024) });
  await rejects(big, 'token_too_large');
});

test('a flood of unknown kids causes at most one JWKS fetch per cooldown', async () => {
  const cooldownMs = 2_000;
  const v = createOidcVerifier(settingsFor(idp, { jwksCooldownMs: cooldownMs }));
  assert.equal(await v.warm(), true);
  await sleep(cooldownMs + 100); // cooldown after the warm-up fetch has passed: the next unknown kid may fetch once
  idp.resetCounts();
  const attacker = await newSigningKey('unused');
  const started = Date.now();
  for (let round = 0; round < 5; round++) {
    const tokens = await Promise.all(Array.from({ length: 40 }, (_, i) => craft(attacker, idp, {}, { kid: `k-${round}-${i}` })));
    await Promise.all(tokens.map((t) => rejects(t, 'unknown_key', v)));
  }
  const elapsed = Date.now() - started;
  const fetches = idp.count('/jwks');
  assert.ok(fetches >= 1, 'an unknown kid triggers a refresh');
  assert.ok(fetches <= 1 + Math.floor(elapsed / cooldownMs), `${fetches} JWKS fetches for 200 unknown kids`);
  // and the provider's real tokens still verify
  assert.equal((await v.verify(`Bearer ${await idp.token('alice')}`)).subject, 'alice');
});

test('settings refuse symmetric and none algorithms, non-loopback http and trust-all in production', async () => {
  const { parseAuthSettings } = await import('../src/index.js');
  const base = { DPH_ENV: 'development', DPH_OIDC_ISSUER: 'http://127.0.0.1:1', DPH_OIDC_AUDIENCE: 'a' };
  assert.equal(parseAuthSettings(base).algorithms.join(), 'RS256,PS256,ES256,EdDSA');
  for (const algs of ['HS256', 'none', 'RS256,HS512', '']) {
    assert.throws(() => parseAuthSettings({ ...base, DPH_OIDC_ALGORITHMS: algs }), { variable: 'DPH_OIDC_ALGORITHMS' });
  }
  assert.throws(() => parseAuthSettings({ ...base, DPH_ENV: 'test' }), { variable: 'DPH_OIDC_ISSUER' });
  assert.throws(() => parseAuthSettings({ ...base, DPH_OIDC_ISSUER: 'http://idp.example' }), { variable: 'DPH_OIDC_ISSUER' });
  assert.throws(() => parseAuthSettings({ ...base, DPH_OIDC_CLOCK_TOLERANCE_SEC: '61' }), { variable: 'DPH_OIDC_CLOCK_TOLERANCE_SEC' });
  assert.throws(() => parseAuthSettings({ DPH_ENV: 'production', DPH_AUTH_MODE: 'trust-all' }), { variable: 'DPH_AUTH_MODE' });
  assert.throws(
    () => parseAuthSettings({ DPH_ENV: 'production', DPH_OIDC_ISSUER: 'https://idp', DPH_OIDC_AUDIENCE: 'a', DPH_OIDC_JWKS_MAX_STALE_MS: '60000' }),
    { variable: 'DPH_OIDC_JWKS_MAX_STALE_MS' },
  );
  assert.equal(parseAuthSettings({ DPH_ENV: 'development', DPH_AUTH_MODE: 'trust-all' }).mode, 'trust-all');
});

test('IdP outage: cached keys keep valid tokens working for 15 minutes, new keys are refused, then 503', async () => {
  const outage = await startTestIdp({ clients: [{ id: 'alice', scenes: ['credit'] }], tokenTtlSec: 3600 });
  let offset = 0;
  const v = createOidcVerifier(
    settingsFor(outage, { jwksRefreshMs: 150, jwksCooldownMs: 50, jwksMaxStaleMs: 15 * 60_000 + 30_000 }),
    { now: () => Date.now() + offset },
  );
  try {
    const token = await outage.token('alice');
    assert.equal((await v.verify(`Bearer ${token}`)).subject, 'alice'); // warm-up: discovery + JWKS
    await outage.stop();
    await sleep(250); // the JWKS cache is past its refresh age: every refresh attempt now fails
    assert.equal((await v.verify(`Bearer ${token}`)).subject, 'alice');
    assert.equal(v.state().jwks?.degraded, true);
    offset = 14 * 60_000; // fourteen minutes into the outage
    assert.equal((await v.verify(`Bearer ${token}`)).subject, 'alice');
    const rotated = await newSigningKey('rotated-during-outage');
    await rejects(await craft(rotated, outage, { exp: Math.floor((Date.now() + offset) / 1000) + 60 }), 'unknown_key', v);
    offset = 16 * 60_000; // past the configured staleness limit: fail closed
    await sleep(60);
    await assert.rejects(v.verify(`Bearer ${token}`), (e: unknown) => e instanceof IdentityProviderUnavailableError && e.status === 503);
    // provider back: keys refresh and tokens verify again
    await outage.resume();
    await sleep(60);
    assert.equal((await v.verify(`Bearer ${token}`)).subject, 'alice');
    assert.equal(v.state().jwks?.degraded, false);
  } finally {
    await outage.close();
  }
});

test('a verifier that never reached the provider answers 503, not 401', async () => {
  const down = await startTestIdp({ clients: [] });
  const s = settingsFor(down);
  await down.close();
  const v = createOidcVerifier(s);
  assert.equal(await v.warm(), false);
  const token = await craft(down.signingKey, down);
  await assert.rejects(v.verify(`Bearer ${token}`), (e: unknown) => e instanceof IdentityProviderUnavailableError);
});
