import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, parsePolicy } from '../src/index.js';

// Redacted documents are walked freely in assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const doc = {
  customer: { phone: '+1 415 555 2671', emails: ['a@example.com', 'none'], note: '手机13800138000' },
  merchant: { service_phone: '+1 212 555 0100', settlement_account: '6222021234567890123' },
  items: [{ card: 4111111111111111 }, { card: 'n/a' }],
  'b@example.com': { ok: true },
  count: 3,
};

test('redactJson redacts strings, long integers and keys, and reports field paths', () => {
  const { value, findings } = createEngine().redactJson(doc);
  const v = value as Loose;
  assert.equal(v.customer.phone, '<PHONE_NUMBER>');
  assert.deepEqual(v.customer.emails, ['<EMAIL_ADDRESS>', 'none']);
  assert.equal(v.customer.note, '手机<CN_MOBILE>');
  assert.equal(v.items[0].card, '<CREDIT_CARD>');
  assert.equal(v.count, 3);
  assert.ok('<EMAIL_ADDRESS>' in v && !('b@example.com' in v));
  const paths = findings.map((f) => `${f.path}:${f.type}`).sort();
  assert.ok(paths.includes('$.customer.phone:PHONE_NUMBER'));
  assert.ok(paths.includes('$.customer.emails[0]:EMAIL_ADDRESS'));
  assert.ok(paths.includes('$.items[0].card:CREDIT_CARD'));
  assert.ok(paths.includes('$.{key}:EMAIL_ADDRESS'));
  // The bank account is a Luhn-failing number under a key that says "account": context makes it a card.
  assert.ok(paths.includes('$.merchant.settlement_account:CN_BANK_CARD'));
  for (const f of findings) assert.ok(!String(f.path).includes('@'), 'paths never carry a value');
  assert.equal(doc.customer.phone, '+1 415 555 2671', 'input is not modified');
});

test('whitelist_contexts by JSON path (with wildcards) and by key name', () => {
  const e = createEngine(parsePolicy({
    version: 1,
    scene: 's',
    whitelist_contexts: [{ json_path: '$.merchant.service_phone' }, { key: 'settlement_account', entities: ['CN_BANK_CARD'] }, { json_path: '$.customer.emails[*]' }],
  }));
  const v = e.redactJson(doc).value as Loose;
  assert.equal(v.merchant.service_phone, '+1 212 555 0100');
  assert.equal(v.merchant.settlement_account, '6222021234567890123');
  assert.deepEqual(v.customer.emails, ['a@example.com', 'none']);
  assert.equal(v.customer.phone, '<PHONE_NUMBER>');
  const star = createEngine(parsePolicy({ version: 1, scene: 's', whitelist_contexts: [{ json_path: '$.*.phone' }] }));
  assert.equal((star.redactJson(doc).value as Loose).customer.phone, '+1 415 555 2671');
});

test('whitelist_patterns must match the whole finding; key labels in text whitelist too', () => {
  const e = createEngine(parsePolicy({
    version: 1,
    scene: 's',
    whitelist_patterns: [{ pattern: '[a-z]+@example\\.com', entities: ['EMAIL_ADDRESS'] }],
    whitelist_contexts: [{ key: 'support_email' }],
  }));
  assert.deepEqual(e.scanText('ops@example.com ops@example.community.org').map((f) => f.start), [16]);
  assert.equal(e.scanText('support_email: help@desk.io').length, 0);
  assert.equal(e.scanText('"support_email": "help@desk.io"').length, 0);
  assert.equal(e.scanText('my_support_email_x: help@desk.io').length, 1);
});
