// Generators of labeled values. Checksums are computed here independently of libs/pii so that a bug in the
// engine's validators cannot also shape the gold labels.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Rng } from './rng.js';

export type GoldType = 'CREDIT_CARD' | 'US_SSN' | 'PHONE_NUMBER' | 'EMAIL_ADDRESS' | 'IP_ADDRESS' | 'CN_MOBILE' | 'CN_ID_CARD' | 'CN_BANK_CARD';

function luhnDigit(body: string): string {
  for (let c = 0; c <= 9; c++) {
    const s = body + c;
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      let d = Number(s[s.length - 1 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    if (sum % 10 === 0) return String(c);
  }
  throw new Error('unreachable');
}
export const withLuhn = (body: string) => body + luhnDigit(body);

function group(d: string, sizes: number[], sep: string): string {
  const out: string[] = [];
  let i = 0;
  for (const s of sizes) {
    out.push(d.slice(i, i + s));
    i += s;
  }
  if (i < d.length) out.push(d.slice(i));
  return out.filter(Boolean).join(sep);
}

export function creditCard(r: Rng): string {
  const kind = r.int(0, 7);
  let d: string;
  if (kind <= 1) d = withLuhn('4' + r.digits(14));
  else if (kind === 2) d = withLuhn(String(r.int(51, 55)) + r.digits(13));
  else if (kind === 3) d = withLuhn(String(r.int(2221, 2720)) + r.digits(11));
  else if (kind === 4) return group(withLuhn(r.pick(['34', '37']) + r.digits(12)), [4, 6, 5], r.pick([' ', '-', '']));
  else if (kind === 5) d = withLuhn('6011' + r.digits(11));
  else if (kind === 6) d = withLuhn(String(r.int(3528, 3589)) + r.digits(11));
  else d = withLuhn('4' + r.digits(17)); // 19-digit Visa
  return group(d, [4, 4, 4, 4], r.pick([' ', '-', '', ' ']));
}

export function ssn(r: Rng, sep = r.pick(['-', '-', '-', ' '])): string {
  let area: number;
  do area = r.int(1, 899);
  while (area === 666);
  return `${String(area).padStart(3, '0')}${sep}${String(r.int(1, 99)).padStart(2, '0')}${sep}${String(r.int(1, 9999)).padStart(4, '0')}`;
}

const US_AREAS = ['212', '415', '312', '617', '202', '305', '713', '206', '303', '404', '646', '718', '510', '408', '503'];

function validPhone(s: string, region: 'US' | 'GB' | 'CN' | 'DE'): boolean {
  const p = parsePhoneNumberFromString(s, region);
  return !!p && p.isValid();
}

export function phone(r: Rng): string {
  for (;;) {
    const k = r.int(0, 9);
    const a = r.pick(US_AREAS);
    const ex = String(r.int(201, 989));
    const ln = r.digits(4);
    let s: string;
    let region: 'US' | 'GB' | 'CN' | 'DE' = 'US';
    if (k === 0) s = `(${a}) ${ex}-${ln}`;
    else if (k === 1) s = `${a}-${ex}-${ln}`;
    else if (k === 2) s = `+1 ${a} ${ex} ${ln}`;
    else if (k === 3) s = `+1-${a}-${ex}-${ln}`;
    else if (k === 4) s = `${a}.${ex}.${ln}`;
    else if (k === 5) s = `+44 20 7${r.digits(3)} ${r.digits(4)}`;
    else if (k === 6) s = `+49 30 ${r.digits(8)}`;
    else if (k === 7) s = `+33 1 ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`;
    else if (k === 8) {
      s = `0${r.pick(['10', '21'])}-${r.int(5, 8)}${r.digits(3)} ${r.digits(4)}`;
      region = 'CN';
    } else s = `+86 ${r.pick(['10', '21', '755'])} ${r.int(5, 8)}${r.digits(3)} ${r.digits(4)}`;
    if (validPhone(s, region)) return s;
  }
}

const LOCAL = ['john.doe', 'jane_smith', 'li.wei88', 'zhangsan', 'wang.fang', 'a.b+tag', 'ops-team', 'm.garcia', 'chen_ming2020', 'k.tanaka'];
const DOMAINS = ['example.com', 'gmail.com', 'qq.com', '163.com', 'corp.example.org', 'mail.co.uk', 'sina.com.cn', 'outlook.com', 'company.io', 'uni.edu'];
export function email(r: Rng): string {
  return `${r.pick(LOCAL)}${r.chance(0.3) ? r.int(1, 99) : ''}@${r.pick(DOMAINS)}`;
}

export function ip(r: Rng): string {
  const k = r.int(0, 5);
  if (k <= 2) return `${r.int(1, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
  const h = () => r.int(1, 0xffff).toString(16);
  if (k === 3) return `2001:db8:${h()}:${h()}:${h()}:${h()}:${h()}:${h()}`;
  if (k === 4) return r.pick([`fe80::${h()}:${h()}`, `2001:db8::${h()}`, '::1', `2400:cb00::${h()}:${h()}`]);
  return `::ffff:192.0.2.${r.int(1, 254)}`;
}

const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '147', '150', '151', '152', '155', '157', '158', '159', '166', '176', '177', '180', '181', '186', '187', '188', '189', '191', '198', '199'];
export function cnMobile(r: Rng): string {
  const n = r.pick(MOBILE_PREFIXES) + r.digits(8);
  const k = r.int(0, 5);
  if (k <= 1) return n;
  if (k === 2) return `${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`;
  if (k === 3) return `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`;
  if (k === 4) return `+86 ${n}`;
  return `+86-${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`;
}

const PROVINCES = ['11', '12', '13', '31', '32', '33', '37', '41', '42', '44', '50', '51', '61', '65'];
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
export function idCheck(first17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * W[i]!;
  return '10X98765432'[s % 11]!;
}
export function cnId(r: Rng, wrongCheck = false): string {
  const region = r.pick(PROVINCES) + String(r.int(1, 20)).padStart(2, '0') + String(r.int(1, 30)).padStart(2, '0');
  const y = r.int(1950, 2005);
  const m = r.int(1, 12);
  const d = r.int(1, 28);
  const body = `${region}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${r.digits(3)}`;
  const c = idCheck(body);
  if (!wrongCheck) return body + (c === 'X' && r.chance(0.2) ? 'x' : c);
  const wrong = '0123456789X'.replace(c, '');
  return body + wrong[r.int(0, wrong.length - 1)]!;
}

export function cnBankCard(r: Rng, luhn = true): string {
  const bin = r.pick(['621700', '622202', '622848', '621661', '622588', '623668', '625807', '622700']);
  const len = r.pick([16, 19, 19, 16, 17]);
  let d = withLuhn(bin + r.digits(len - 7));
  if (!luhn) d = d.slice(0, -1) + String((Number(d.slice(-1)) + r.int(1, 9)) % 10);
  return r.chance(0.6) ? d : group(d, [4, 4, 4, 4], ' ');
}
