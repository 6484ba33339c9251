// The stack runs the development OpenID provider and hands its settings to the API and to tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiUrl, devAccessToken, oidcSettings, requireStack } from '@dph/testkit';

test('the stack IdP issues a signed JWT for a demo identity, with the API as audience and scene claims', async () => {
  requireStack();
  const o = oidcSettings();
  assert.match(o.issuer, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(o.audience, apiUrl());
  const token = await devAccessToken('bob');
  const [h, p] = token.split('.').slice(0, 2).map((x) => JSON.parse(Buffer.from(x, 'base64url').toString()) as Record<string, unknown>);
  assert.equal(h?.alg, 'RS256');
  assert.equal(p?.iss, o.issuer);
  assert.equal(p?.aud, o.audience);
  assert.equal(p?.sub, 'bob');
  assert.deepEqual(p?.dph_scenes, ['credit']);
  await assert.rejects(devAccessToken('mallory' as 'bob'), { code: 'invalid_argument' });
});
