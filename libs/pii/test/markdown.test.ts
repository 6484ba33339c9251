import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, parsePolicy } from '../src/index.js';

const MD = [
  '# 客户',
  '',
  '联系 a@example.com 或 13800138000。',
  '',
  '| 姓名 | 手机 | 客服电话 | 备注 |',
  '|---|:---:|---|---|',
  '| 张三 | 139 1234 5678 | 400-820-8820 | 卡号 4111111111111111 |',
  '| 李四 | 13600136000 | 13900139000 | 无 \\| 有 |',
  '',
  'after the table 10.0.0.1',
].join('\n');

const cells = (line: string) => line.split(/(?<!\\)\|/).length;

test('redaction keeps Markdown tables intact: same rows, same cell count, delimiter row untouched', () => {
  const e = createEngine(parsePolicy({ version: 1, scene: 's', operators: { CREDIT_CARD: { type: 'replace', value: 'a|b' } } }));
  const { markdown, findings } = e.redactMarkdown(MD);
  const before = MD.split('\n');
  const after = markdown.split('\n');
  assert.equal(after.length, before.length);
  for (let i = 0; i < before.length; i++) if (before[i]!.startsWith('|')) assert.equal(cells(after[i]!), cells(before[i]!), `row ${i}`);
  assert.equal(after[5], before[5]);
  assert.ok(after[6]!.includes('a\\|b'), 'a pipe in a replacement is escaped');
  assert.ok(!markdown.includes('13800138000') && !markdown.includes('139 1234 5678') && !markdown.includes('10.0.0.1'));
  for (const f of findings) assert.ok(f.start >= 0 && f.end <= MD.length && f.start < f.end);
  assert.deepEqual(new Set(findings.map((f) => f.type)), new Set(['EMAIL_ADDRESS', 'CN_MOBILE', 'PHONE_NUMBER', 'CREDIT_CARD', 'IP_ADDRESS']));
});

test('column headers named in whitelist_contexts allow their values; other columns are still redacted', () => {
  const e = createEngine(parsePolicy({ version: 1, scene: 's', whitelist_contexts: [{ column: '客服电话' }] }));
  const { markdown } = e.redactMarkdown(MD);
  assert.ok(markdown.includes('13900139000'), 'whitelisted column kept');
  assert.ok(!markdown.includes('13600136000'), 'other column redacted');
  const restricted = createEngine(parsePolicy({ version: 1, scene: 's', whitelist_contexts: [{ column: '客服电话', entities: ['PHONE_NUMBER'] }] }));
  assert.ok(!restricted.redactMarkdown(MD).markdown.includes('13900139000'), 'the entities list restricts the whitelist');
});

test('a column header counts as context (a Luhn-failing bank card under 银行卡号)', () => {
  const md = '| 户名 | 银行卡号 |\n|---|---|\n| 王五 | 6222021234567890123 |\n';
  const { findings } = createEngine().redactMarkdown(md);
  assert.deepEqual(findings.map((f) => f.type), ['CN_BANK_CARD']);
  assert.equal(createEngine().scanText('| 王五 | 6222021234567890123 |').length, 0, 'without the header there is no context');
});

test('values hidden by Markdown escapes are found and redacted with their escapes', () => {
  const e = createEngine(parsePolicy({ version: 1, scene: 's' }));
  const md = [
    '203\\.0.113.7 logged in',
    'mail jane\\_roe@example.net or call \\+1 415-555-0134',
    '',
    '| who | ip |',
    '|---|---|',
    '| x | 198\\.51.100.23 |',
  ].join('\n');
  const { markdown, findings } = e.redactMarkdown(md);
  assert.deepEqual(findings.map((f) => f.type).sort(), ['EMAIL_ADDRESS', 'IP_ADDRESS', 'IP_ADDRESS', 'PHONE_NUMBER']);
  for (const leaked of ['203', '113.7', 'jane', 'roe@', '415-555', '51.100']) assert.ok(!markdown.includes(leaked), `${leaked} leaked: ${markdown}`);
  const f = findings.find((x) => x.type === 'IP_ADDRESS')!;
  assert.equal(md.slice(f.start, f.end), '203\\.0.113.7', 'offsets cover the original text, escape included');
  assert.equal(markdown.split('\n')[5], '| x | <IP_ADDRESS> |');
});
