import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../src/index.js';
import { all, only, withIdCheck, withLuhn } from './helpers.js';

test('CREDIT_CARD: issuer prefixes, grouping, Luhn, same-digit rejection', () => {
  assert.deepEqual(only('CREDIT_CARD', 'card 4111 1111 1111 1111 ok'), ['4111 1111 1111 1111']);
  assert.deepEqual(only('CREDIT_CARD', 'mc 2221-0000-0000-0009 and 5555555555554444'), ['2221-0000-0000-0009', '5555555555554444']);
  assert.deepEqual(only('CREDIT_CARD', 'amex 3782 822463 10005'), ['3782 822463 10005']);
  assert.deepEqual(only('CREDIT_CARD', '19 digits 4000 0000 0000 0000 006'), ['4000 0000 0000 0000 006']);
  assert.deepEqual(only('CREDIT_CARD', 'luhn fails 4111 1111 1111 1112'), []);
  assert.deepEqual(only('CREDIT_CARD', 'mixed separators 4111 1111-1111 1111'), []);
  assert.deepEqual(only('CREDIT_CARD', 'no issuer 1234567812345670'), []);
  assert.deepEqual(only('CREDIT_CARD', 'mc range ends at 2720: 2721000000000004'), []);
  assert.deepEqual(only('CREDIT_CARD', 'timestamp 1700000000003'), []);
  assert.deepEqual(only('CREDIT_CARD', 'tracking SF4111111111111111'), []);
  assert.deepEqual(only('CREDIT_CARD', '信用卡4111111111111111已绑定'), ['4111111111111111']);
  assert.deepEqual(only('CREDIT_CARD', '全角４１１１１１１１１１１１１１１１'), ['４１１１１１１１１１１１１１１１']);
});

test('US_SSN: SSA rules, separators, bare digits only with context', () => {
  assert.deepEqual(only('US_SSN', 'SSN 536-90-4399.'), ['536-90-4399']);
  assert.deepEqual(only('US_SSN', 'id 536 90 4399'), ['536 90 4399']);
  for (const bad of ['000-12-3456', '666-12-3456', '912-34-5678', '123-00-4567', '123-45-0000', '078-05-1120', '219-09-9999', '536-90 4399'])
    assert.deepEqual(only('US_SSN', `ssn ${bad}`), [], bad);
  assert.deepEqual(only('US_SSN', 'number 536904399 here'), []);
  assert.deepEqual(only('US_SSN', 'SSN: 536904399'), ['536904399']);
  assert.deepEqual(only('US_SSN', '社会安全号536-90-4399'), ['536-90-4399']);
  assert.deepEqual(only('US_SSN', 'phone-like 536-904-3990'), []);
});

test('PHONE_NUMBER: validated with libphonenumber metadata, candidates found linearly', () => {
  assert.deepEqual(only('PHONE_NUMBER', 'Call (415) 555-2671 today'), ['(415) 555-2671']);
  assert.deepEqual(only('PHONE_NUMBER', 'UK +44 20 7946 0958, DE +49 30 901820'), ['+44 20 7946 0958', '+49 30 901820']);
  assert.deepEqual(only('PHONE_NUMBER', 'tel +1 415 555 2671 2024'), ['+1 415 555 2671']);
  assert.deepEqual(only('PHONE_NUMBER', '北京座机010-6552 9988转'), ['010-6552 9988']);
  assert.deepEqual(only('PHONE_NUMBER', 'invalid area +1 099 555 2671'), []);
  assert.deepEqual(only('PHONE_NUMBER', 'date 2024-03-15 and 10.0.19041.1'), []);
  assert.deepEqual(only('PHONE_NUMBER', 'ISBN 978-3-16-148410-0'), []);
  assert.deepEqual(only('PHONE_NUMBER', 'SKU 415-555-2671'), []);
  assert.deepEqual(only('PHONE_NUMBER', 'order 4155552671'), []);
  assert.deepEqual(only('PHONE_NUMBER', '电话：＋１ ４１５ ５５５ ２６７１'), ['＋１ ４１５ ５５５ ２６７１']);
  // Regions are per scene: a German national number needs DE.
  assert.deepEqual(only('PHONE_NUMBER', 'Tel 030 901820'), []);
  assert.deepEqual(only('PHONE_NUMBER', 'Tel 030 901820', { phone_regions: ['DE'] }), ['030 901820']);
});

test('EMAIL_ADDRESS: local part and domain rules, bundled TLD list', () => {
  assert.deepEqual(only('EMAIL_ADDRESS', 'mail john.doe+x@mail.example.co.uk.'), ['john.doe+x@mail.example.co.uk']);
  assert.deepEqual(only('EMAIL_ADDRESS', '邮箱zhangsan@163.com谢谢'), ['zhangsan@163.com']);
  assert.deepEqual(only('EMAIL_ADDRESS', 'bad tld a@b.notatld, no tld a@localhost'), []);
  assert.deepEqual(only('EMAIL_ADDRESS', 'dots a..b@example.com and a.@example.com'), []);
  assert.deepEqual(only('EMAIL_ADDRESS', 'label -a@-example.com'), []);
  assert.deepEqual(only('EMAIL_ADDRESS', '<a@example.io>'), ['a@example.io']);
  assert.deepEqual(only('EMAIL_ADDRESS', 'full-width ａ＠ｅｘａｍｐｌｅ．ｃｏｍ'), ['ａ＠ｅｘａｍｐｌｅ．ｃｏｍ']);
});

test('IP_ADDRESS: IPv4 and IPv6 parsed, versions and out-of-range parts rejected', () => {
  assert.deepEqual(only('IP_ADDRESS', 'from 192.168.1.20:8080 and 8.8.8.8.'), ['192.168.1.20', '8.8.8.8']);
  assert.deepEqual(only('IP_ADDRESS', 'v6 2001:db8::8a2e:370:7334, fe80::1 and ::1'), ['2001:db8::8a2e:370:7334', 'fe80::1', '::1']);
  assert.deepEqual(only('IP_ADDRESS', 'mapped ::ffff:192.0.2.128 ok'), ['::ffff:192.0.2.128']);
  assert.deepEqual(only('IP_ADDRESS', 'full 2001:0db8:85a3:0000:0000:8a2e:0370:7334'), ['2001:0db8:85a3:0000:0000:8a2e:0370:7334']);
  for (const bad of ['version 1.2.3.4', 'v1.2.3.4', '10.0.19041.1', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '12:30:45', '00:1A:2B:3C:4D:5E', 'std::vector', 'a::b', '版本1.2.3.4'])
    assert.deepEqual(only('IP_ADDRESS', `x ${bad} y`), [], bad);
  assert.deepEqual(only('IP_ADDRESS', '服务器地址10.0.0.1无法访问'), ['10.0.0.1']);
});

test('CN_MOBILE: operator prefixes, +86, separators, Chinese text and full width', () => {
  assert.deepEqual(only('CN_MOBILE', '手机13800138000，或者+86 139-1234-5678'), ['13800138000', '+86 139-1234-5678']);
  assert.deepEqual(only('CN_MOBILE', 'tel 8613800138000 / 0086 138 0013 8000'), ['8613800138000', '0086 138 0013 8000']);
  assert.deepEqual(only('CN_MOBILE', '全角１３９１２３４５６７８号'), ['１３９１２３４５６７８']);
  assert.deepEqual(only('CN_MOBILE', 'bad prefix 15412345678 12012345678'), []);
  assert.deepEqual(only('CN_MOBILE', 'mixed 138-0013 8000'), []);
  assert.deepEqual(only('CN_MOBILE', 'too long 138001380001 and glued a13800138000'), []);
});

test('CN_ID_CARD: region, calendar date and GB 11643 check character', () => {
  assert.deepEqual(only('CN_ID_CARD', '身份证11010519491231002X，'), ['11010519491231002X']);
  assert.deepEqual(only('CN_ID_CARD', 'lower x 11010519491231002x'), ['11010519491231002x']);
  assert.deepEqual(only('CN_ID_CARD', 'wrong check 110105194912310021'), []);
  assert.deepEqual(only('CN_ID_CARD', 'bad region 990105194912310027'), []);
  assert.deepEqual(only('CN_ID_CARD', 'feb 30: 110105199002300012'), []);
  const leap = withIdCheck('44052420000229123');
  const notLeap = withIdCheck('44052419000229123');
  assert.deepEqual(only('CN_ID_CARD', `leap day ${leap} vs ${notLeap}`), [leap]);
  assert.deepEqual(only('CN_ID_CARD', `future ${withIdCheck('11010520990101001')}`), []);
  assert.deepEqual(only('CN_ID_CARD', `prefecture 00 ${withIdCheck('11000019491231002')}`), []);
  assert.deepEqual(only('CN_ID_CARD', '全角１１０１０５１９４９１２３１００２Ｘ'), ['１１０１０５１９４９１２３１００２Ｘ']);
});

test('CN_BANK_CARD: BIN prefixes, Luhn raises confidence, context required when Luhn fails', () => {
  const ok = withLuhn('622202123456789012');
  const bad = ok.slice(0, -1) + String((Number(ok.slice(-1)) + 1) % 10);
  const spaced = (d: string) => d.replace(/(\d{4})(?=\d)/g, '$1 ');
  assert.deepEqual(only('CN_BANK_CARD', `转账至${ok}`), [ok]);
  assert.deepEqual(only('CN_BANK_CARD', `to ${spaced(ok)} now`), [spaced(ok)]);
  assert.deepEqual(only('CN_BANK_CARD', `转账至${bad}`), []);
  assert.deepEqual(only('CN_BANK_CARD', `银行卡号：${bad}`), [bad]);
  assert.deepEqual(only('CN_BANK_CARD', `account ${spaced(bad)}`), [spaced(bad)]);
  assert.deepEqual(only('CN_BANK_CARD', `批次号${bad}`), []);
  assert.deepEqual(only('CN_BANK_CARD', `ICBC ${withLuhn('955880123456789012')}`), [withLuhn('955880123456789012')]);
  assert.deepEqual(only('CN_BANK_CARD', 'too short 622202123456789'), []);
});

test('overlaps resolve to one finding: a UnionPay card is reported once, as CN_BANK_CARD', () => {
  const card = withLuhn('622202123456789012');
  assert.deepEqual(all(`卡号 ${card}`), [['CN_BANK_CARD', card]]);
  assert.deepEqual(all('+86 138 0013 8000'), [['CN_MOBILE', '+86 138 0013 8000']]);
  assert.deepEqual(all('id 11010519491231002X'), [['CN_ID_CARD', '11010519491231002X']]);
});

test('offsets are UTF-16 code units, end exclusive, also after astral characters', () => {
  const text = '😀😀 mail a@example.com';
  const [f] = createEngine().scanText(text);
  assert.equal(f!.start, 10);
  assert.equal(f!.end, text.length);
  assert.equal(text.slice(f!.start, f!.end), 'a@example.com');
});

test('look-alikes between types: mistyped resident IDs, co-branded debit cards, SSN layout', () => {
  // An 18-digit number with a valid region and birth date but a wrong check character is not a card, even
  // when it happens to pass Luhn with a Discover prefix (65).
  let id = '';
  for (let seq = 100; seq < 999 && !id; seq++) {
    const body = `65010319950403${seq}`;
    const right = withIdCheck(body.slice(0, 17));
    for (const c of '0123456789') {
      const cand = body.slice(0, 17) + c;
      if (cand !== right && withLuhn(cand.slice(0, 17)) === cand) id = cand;
    }
  }
  assert.ok(id, 'found a Luhn-valid mistyped ID');
  assert.deepEqual(all(`身份证号${id}校验失败`), []);
  // A Visa co-branded domestic debit card is reported once, as the scheme type.
  const visaDebit = withLuhn('427020123456789012');
  assert.deepEqual(all(`pay ${visaDebit}`), [['CREDIT_CARD', visaDebit]]);
  assert.deepEqual(only('CN_BANK_CARD', `pay ${visaDebit}`), [visaDebit]);
  assert.deepEqual(only('PHONE_NUMBER', 'Test SSN 023-95-0000'), []);
});
