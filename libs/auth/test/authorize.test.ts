import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canCancelJob, canReadJob, canSubmit, isAuditor, isOperator, principalFromClaims, createTrustAllVerifier,
  parseAuthSettings, TRUST_ALL_SUBJECT,
} from '../src/index.js';

const P = (sub: string, scenes: string[], roles: string[] = []) =>
  principalFromClaims({ sub, dph_scenes: scenes, dph_roles: roles }, 'dph_scenes', 'dph_roles')!;

const alice = P('alice', ['credit']);
const bob = P('bob', ['credit', 'hr']);
const opCredit = P('op', [], ['operator:credit']);
const audHr = P('aud', [], ['auditor:hr']);
const audAll = P('root-aud', [], ['auditor:*']);
const aliceJob = { submitBy: 'alice', tenantScene: 'credit' };
const hrJob = { submitBy: 'bob', tenantScene: 'hr' };

test('submission needs the scene in the token', () => {
  assert.equal(canSubmit(alice, 'credit'), true);
  assert.equal(canSubmit(alice, 'hr'), false);
  assert.equal(canSubmit(opCredit, 'credit'), false, 'an operator role is not a submit grant');
});

test('read: submitter, operator or auditor of the scene; nobody else', () => {
  assert.equal(canReadJob(alice, aliceJob), true);
  assert.equal(canReadJob(bob, aliceJob), false, 'same scene, other subject');
  assert.equal(canReadJob(opCredit, aliceJob), true);
  assert.equal(canReadJob(opCredit, hrJob), false);
  assert.equal(canReadJob(audHr, hrJob), true);
  assert.equal(canReadJob(audHr, aliceJob), false);
  assert.equal(canReadJob(audAll, aliceJob), true);
  assert.equal(canReadJob(P('alice', ['hr']), aliceJob), false, 'submitter who lost the scene');
});

test('cancel: submitter or operator; auditors are read-only', () => {
  assert.equal(canCancelJob(alice, aliceJob), true);
  assert.equal(canCancelJob(opCredit, aliceJob), true);
  assert.equal(canCancelJob(audAll, aliceJob), false);
  assert.equal(canCancelJob(bob, aliceJob), false);
});

test('role helpers and claim parsing', () => {
  assert.equal(isOperator(opCredit, 'credit'), true);
  assert.equal(isAuditor(audHr, 'hr'), true);
  assert.equal(isAuditor(audHr), false, 'a scene auditor is not a global auditor');
  assert.equal(isAuditor(audAll), true);
  const spaced = principalFromClaims({ sub: 's', scopes: 'credit hr Bad!', r: 'auditor:* admin' }, 'scopes', 'r')!;
  assert.deepEqual(spaced.scenes, ['credit', 'hr']);
  assert.deepEqual(spaced.roles, [{ role: 'auditor', scene: '*' }]);
  assert.equal(principalFromClaims({ dph_scenes: ['credit'] }, 'dph_scenes', 'dph_roles'), undefined);
});

test('trust-all grants every scene in development and is refused in production', async () => {
  const v = createTrustAllVerifier(parseAuthSettings({ DPH_ENV: 'development', DPH_AUTH_MODE: 'trust-all' }));
  const p = await v.verify(undefined);
  assert.equal(p.subject, TRUST_ALL_SUBJECT);
  assert.equal(canSubmit(p, 'anything'), true);
  assert.throws(() => createTrustAllVerifier({ ...parseAuthSettings({ DPH_ENV: 'development', DPH_AUTH_MODE: 'trust-all' }), env: 'production' }));
});
