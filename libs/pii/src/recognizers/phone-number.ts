import { findPhoneNumbersInText, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
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
const NON_DIGITS = /\D+/g;
// The 3-2-4 layout is the US social security number's; no numbering plan groups digits that way.
const SSN_LAYOUT = /^\d{3}([- .])\d{2}\1\d{4}$/;
const DOTTED_NANP = /^\(?\d{3}\)?\.\d{3}\.\d{4}$/;

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
  if (digits.length === 9 && SSN_LAYOUT.test(raw)) return false;
  // Dotted groups are too often versions or OIDs; only the 3.3.4 North-American layout is accepted.
  if (dots > 0 && !DOTTED_NANP.test(raw)) return false;
  const bare = digits.length === raw.length;
  if (digits[0] === '0') return digits.length >= 9; // trunk prefix: national format in most numbering plans
  if (regions.includes('US') || regions.includes('CA')) {
    // A leading 1 (NANP trunk code) only with separators: bare 1xxxxxxxxxx is shaped like a CN mobile number.
    const n = digits.length === 11 && digits[0] === '1' && !bare ? digits.slice(1) : digits;
    if (n.length === 10 && n[0]! >= '2' && n[3]! >= '2') return true;
  }
  if (regions.includes('CN') && digits.length === 11 && digits[0] === '1' && !bare) return true;
  return !bare && regions.some((r) => r !== 'US' && r !== 'CA' && r !== 'CN');
}

/** Regions to try for a national-format number, most likely first (saves a libphonenumber call per miss). */
function orderRegions(digits: string, regions: readonly string[]): readonly string[] {
  const first = digits[0] === '0' || (digits.length === 11 && digits[0] === '1' && digits[1]! >= '3') ? 'CN' : 'US';
  if (!regions.includes(first) || regions[0] === first) return regions;
  return [first, ...regions.filter((r) => r !== first)];
}

function validSpans(candidate: string, regions: readonly string[]): Array<[number, number, boolean]> {
  const intl = candidate.startsWith('+');
  const tryRegions = intl ? [regions[0] ?? 'US'] : orderRegions(candidate.replace(NON_DIGITS, ''), regions);
  // Fast path: the whole candidate is one valid number (the common case); parse + isValid with the `max`
  // metadata is the same validity test the text finder applies, at about half its cost.
  for (const region of tryRegions) {
    const p = parsePhoneNumberFromString(candidate, { defaultCountry: region as CountryCode, extract: false });
    if (p && p.isValid()) return [[0, candidate.length, intl]];
  }
  const tryOne = (s: string): Array<[number, number, boolean]> => {
    for (const region of tryRegions) {
      const found = findPhoneNumbersInText(s, { defaultCountry: region as CountryCode });
      if (found.length) return found.map((f) => [f.startsAt, f.endsAt, intl]);
    }
    return [];
  };
  if (!WHITESPACE.test(candidate)) return [];
  // A number followed or preceded by an unrelated group ("+1 415 555 2671 2024") hides it from the finder:
  // retry without the last group, then without the first.
  const cut = candidate.lastIndexOf(' ');
  const tail = tryOne(candidate.slice(0, cut).trimEnd());
  if (tail.length) return tail;
  const head = candidate.indexOf(' ');
  return tryOne(candidate.slice(head + 1)).map(([s, e, i]) => [s + head + 1, e + head + 1, i]);
}

/**
 * Spans of findings other recognizers already made, sorted by start, so that a candidate a stronger recognizer
 * claimed (a CN mobile, a card) skips libphonenumber. The phone recognizer runs last for this.
 */
function claimedSpans(found: readonly Finding[]): Int32Array {
  const spans = found.filter((f) => f.type !== 'PHONE_NUMBER').sort((a, b) => a.start - b.start);
  const out = new Int32Array(spans.length * 2);
  let maxEnd = -1;
  spans.forEach((f, i) => {
    maxEnd = Math.max(maxEnd, f.end); // running max end makes the binary search below valid for nested spans
    out[2 * i] = f.start;
    out[2 * i + 1] = maxEnd;
  });
  return out;
}

function covered(spans: Int32Array, start: number, end: number): boolean {
  let lo = 0;
  let hi = spans.length / 2 - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (spans[2 * mid]! <= start) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best >= 0 && spans[2 * best + 1]! >= end;
}

export const phoneNumber: Recognizer = {
  name: 'phone_libphonenumber',
  entity: 'PHONE_NUMBER',
  patterns: [CANDIDATE, WHITESPACE, DOTTED_NANP, NON_DIGITS, SSN_LAYOUT],
  find(text: string, ctx: ScanContext, out: Finding[]) {
    const regions = ctx.phoneRegions;
    const claimed = claimedSpans(out);
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
      const raw = m[0];
      if (!plausible(raw, regions)) continue;
      if (claimed.length && covered(claimed, m.index, m.index + raw.length)) continue;
      if (hasContextBefore(text, m.index, NEGATIVE, 20)) continue;
      for (const [s, e, intl] of validSpans(raw, regions)) {
        const start = m.index + s;
        const end = m.index + e;
        out.push({ type: 'PHONE_NUMBER', start, end, score: boost(intl ? 0.8 : 0.7, hasContext(text, start, end, CONTEXT, ctx), 0.2), recognizer: this.name });
      }
    }
  },
};
