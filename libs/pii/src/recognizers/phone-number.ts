import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js/max';
import { boost, hasContext, hasContextBefore } from '../context.js';
import type { Finding, Recognizer, ScanContext } from '../types.js';

const CONTEXT = ['phone', 'tel', 'call', 'mobile', 'cell', 'fax', 'contact', 'hotline', 'whatsapp', '电话', '手机', '联系', '致电', '传真', '热线', '座机'];
// Labels that name other numbers written like phone numbers (SKU and ISBN codes, orders, parcels).
const NEGATIVE = ['sku', 'isbn', 'order', 'invoice', 'tracking', 'serial', 'part no', 'version', 'ref', 'po #', 'po#', '订单', '单号', '运单', '快递', '编号', '版本', '发票'];

/**
 * Linear candidate pattern: a run of digits with spaces, dashes, dots and parentheses, optionally led by "+" or
 * "(". libphonenumber validates each candidate; running its own text finder over whole documents is ~0.5 MB/s.
 */
const CANDIDATE = /(?<![0-9A-Za-z_+(\-.])(?:\+ ?|\()?\d[\d \-.()]{5,22}\d(?![0-9A-Za-z_])/g;
const WHITESPACE = /\s+/;

/** Cheap structural filter so that libphonenumber (~30 µs a call) only sees plausible numbers. */
function plausible(raw: string, regions: readonly string[]): boolean {
  let digits = '';
  let dots = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += raw[i];
    else if (c === 46) dots++;
  }
  if (digits.length < 7 || digits.length > 15) return false;
  if (raw[0] === '+') return true;
  // Dotted groups are too often versions or OIDs; only the 3.3.4 North-American layout is accepted.
  if (dots > 0 && !/^\(?\d{3}\)?\.\d{3}\.\d{4}$/.test(raw)) return false;
  const bare = digits.length === raw.length;
  if (digits[0] === '0') return digits.length >= 9; // trunk prefix: national format in most numbering plans
  if (regions.includes('US') || regions.includes('CA')) {
    const n = digits.length === 11 && digits[0] === '1' ? digits.slice(1) : digits;
    if (n.length === 10 && n[0]! >= '2' && n[3]! >= '2') return true;
  }
  if (regions.includes('CN') && digits.length === 11 && digits[0] === '1' && !bare) return true;
  return !bare && regions.some((r) => r !== 'US' && r !== 'CA' && r !== 'CN');
}

function validSpans(candidate: string, regions: readonly string[]): Array<[number, number, boolean]> {
  const tryOne = (s: string): Array<[number, number, boolean]> => {
    const intl = s.startsWith('+');
    for (const region of intl ? [regions[0] ?? 'US'] : regions) {
      const found = findPhoneNumbersInText(s, { defaultCountry: region as CountryCode });
      if (found.length) return found.map((f) => [f.startsAt, f.endsAt, intl]);
    }
    return [];
  };
  const whole = tryOne(candidate);
  if (whole.length || !WHITESPACE.test(candidate)) return whole;
  // A number followed or preceded by an unrelated group ("+1 415 555 2671 2024") hides it from the finder:
  // retry without the last group, then without the first.
  const cut = candidate.lastIndexOf(' ');
  const tail = tryOne(candidate.slice(0, cut).trimEnd());
  if (tail.length) return tail;
  const head = candidate.indexOf(' ');
  return tryOne(candidate.slice(head + 1)).map(([s, e, i]) => [s + head + 1, e + head + 1, i]);
}

export const phoneNumber: Recognizer = {
  name: 'phone_libphonenumber',
  entity: 'PHONE_NUMBER',
  patterns: [CANDIDATE],
  find(text: string, ctx: ScanContext, out: Finding[]) {
    const regions = ctx.phoneRegions;
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
      const raw = m[0];
      if (!plausible(raw, regions)) continue;
      if (hasContextBefore(text, m.index, NEGATIVE, 20)) continue;
      for (const [s, e, intl] of validSpans(raw, regions)) {
        const start = m.index + s;
        const end = m.index + e;
        out.push({ type: 'PHONE_NUMBER', start, end, score: boost(intl ? 0.8 : 0.7, hasContext(text, start, end, CONTEXT, ctx), 0.2), recognizer: this.name });
      }
    }
  },
};
