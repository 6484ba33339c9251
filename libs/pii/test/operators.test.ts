import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createEngine, parsePolicy } from '../src/index.js';

const engine = (operators: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  createEngine(parsePolicy({ version: 1, scene: 's', operators }), { env });

test('replace, mask and redact operators', () => {
  const text = 'card 4111 1111 1111 1111, mail a@example.com, ip 10.1.2.3';
  assert.equal(createEngine().redactText(text).text, 'card <CREDIT_CARD>, mail <EMAIL_ADDRESS>, ip <IP_ADDRESS>');
  const e = engine({ CREDIT_CARD: { type: 'mask', chars_to_keep: 4 }, EMAIL_ADDRESS: { type: 'redact' }, IP_ADDRESS: { type: 'replace', value: '[{type} removed]' } });
  assert.equal(e.redactText(text).text, 'card ***************1111, mail , ip [IP_ADDRESS removed]');
  const front = engine({ CREDIT_CARD: { type: 'mask', masking_char: '#', chars_to_keep: 4, from_end: false } });
  assert.equal(front.redactText('4111111111111111').text, '4111############');
});

test('masking never reveals more than half of a value', () => {
  const e = engine({ EMAIL_ADDRESS: { type: 'mask', chars_to_keep: 64 } });
  const out = e.redactText('a@example.io').text;
  assert.equal(out, '******ple.io');
});

test('pseudonymisation is keyed (HMAC), stable per scene secret, and not a bare hash', () => {
  const env1 = { K: 'first-secret-0123456789' };
  const env2 = { K: 'other-secret-0123456789' };
  const e1 = engine({ CN_MOBILE: { type: 'pseudonymize', secret_env: 'K' } }, env1);
  const e2 = engine({ CN_MOBILE: { type: 'pseudonymize', secret_env: 'K' } }, env2);
  const a = e1.redactText('手机13800138000').text;
  const b = e1.redactText('手机138 0013 8000').text;
  const c = e2.redactText('手机13800138000').text;
  assert.match(a, /^手机<CN_MOBILE_[0-9a-f]{12}>$/);
  assert.equal(a, b, 'same number, different formatting: same pseudonym');
  assert.notEqual(a, c, 'another scene secret gives another pseudonym');
  for (const alg of ['sha256', 'sha1', 'md5']) {
    const bare = createHash(alg).update('13800138000').digest('hex');
    assert.ok(!a.includes(bare.slice(0, 12)), `not an unsalted ${alg}`);
  }
});
