import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIdp, type TestIdp } from '../src/testing/index.js';
import { createOidcVerifier, createVerifier, withTokenCache, type TokenVerifier } from '../src/index.js';
import { craft, settingsFor } from './helpers.js';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp({ clients: [{ id: 'alice', scenes: ['credit'] }] });
});
after(async () => idp.close());

/** The real verifier, counting how often it is reached (that is, how often a signature is checked). */
function counted(v: TokenVerifier): { v: TokenVerifier; calls: () => number } {
  let n = 0;
  return { v: { ...v, verify: (h) => (n++, v.verify(h)) }, calls: () => n };
}

test('a repeated token is verified once; its principal is served from the cache', async () => {
  const inner = counted(createOidcVerifier(settingsFor(idp)));
  const v = withTokenCache(inner.v, { maxEntries: 10, maxAgeMs: 60_000 });
  const h = `Bearer ${await idp.token('alice')}`;
  const a = await v.verify(h);
  const b = await v.verify(h);
  assert.equal(inner.calls(), 1);
  assert.equal(b, a);
  assert.equal(b.subject, 'alice');
});

test('failures are never cached: a bad token is checked (and refused) every time', async () => {
  const inner = counted(createOidcVerifier(settingsFor(idp)));
  const v = withTokenCache(inner.v, { maxEntries: 10, maxAgeMs: 60_000 });
  const good = await idp.token('alice');
  const tampered = `Bearer ${good.slice(0, -4)}AAAA`;
  await assert.rejects(v.verify(tampered), { reason: 'bad_signature' });
  await assert.rejects(v.verify(tampered), { reason: 'bad_signature' });
  assert.equal(inner.calls(), 2);
  await assert.rejects(v.verify(undefined), { reason: 'missing_token' });
});

test('an entry ends at the token exp and after maxAgeMs; the full verifier then decides', async () => {
  let clock = Date.now();
  const now = () => clock;
  const inner = counted(createOidcVerifier(settingsFor(idp, { clockToleranceSec: 0 }), { now }));
  const v = withTokenCache(inner.v, { maxEntries: 10, maxAgeMs: 60_000, now });
  const expSec = Math.floor(clock / 1000) + 120;
  const h = `Bearer ${await craft(idp.signingKey, idp, { exp: expSec })}`;
  await v.verify(h);
  clock += 30_000;
  await v.verify(h);
  assert.equal(inner.calls(), 1, 'within maxAgeMs and before exp: cached');
  clock += 31_000;
  await v.verify(h);
  assert.equal(inner.calls(), 2, 'past maxAgeMs: verified again');
  clock = expSec * 1000 + 1;
  await assert.rejects(v.verify(h), { reason: 'expired' });
  assert.equal(inner.calls(), 3, 'past exp: the verifier refuses it');
});

test('bounded: the least recently used token is dropped first', async () => {
  const inner = counted(createOidcVerifier(settingsFor(idp)));
  const v = withTokenCache(inner.v, { maxEntries: 2, maxAgeMs: 60_000 });
  const [t1, t2, t3] = await Promise.all([1, 2, 3].map((i) => craft(idp.signingKey, idp, { sub: `user-${i}` })));
  for (const t of [t1, t2, t3, t1]) await v.verify(`Bearer ${t}`);
  assert.equal(inner.calls(), 4, 't1 was evicted by t3');
});

test('createVerifier caches only when tokenCacheSize is set', async () => {
  const h = `Bearer ${await idp.token('alice')}`;
  const plain = createVerifier(settingsFor(idp));
  const cached = createVerifier(settingsFor(idp, { tokenCacheSize: 100 }));
  assert.equal((await plain.verify(h)).subject, 'alice');
  assert.equal((await cached.verify(h)).subject, 'alice');
  assert.equal(await cached.warm(), true);
});
