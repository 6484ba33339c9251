import { allSameChar, luhnValid } from '../checksums.js';
import { boost, hasContext } from '../context.js';
import type { Finding, Recognizer, ScanContext } from '../types.js';
import { CARD_CANDIDATE, cardCandidates } from './shared.js';
import { cnRegionValid } from './cn-region-codes.js';
import { realDate } from './cn-id-card.js';

const CONTEXT = ['credit', 'card', 'visa', 'mastercard', 'amex', 'american express', 'discover', 'jcb', 'cvv', 'expir', '信用卡', '卡号', '银行卡', '付款卡'];

interface Issuer {
  test: (d: string) => boolean;
  lengths: readonly number[];
  score: number;
}

const num = (d: string, n: number) => Number(d.slice(0, n));
// Issuer prefix ranges (IIN) and the lengths each issues. UnionPay (62) scores a little lower than the others
// so that the CN_BANK_CARD recognizer, which knows domestic BINs, wins the overlap for the same span.
const ISSUERS: readonly Issuer[] = [
  { test: (d) => d[0] === '4', lengths: [13, 16, 19], score: 0.9 },
  { test: (d) => (num(d, 2) >= 51 && num(d, 2) <= 55) || (num(d, 4) >= 2221 && num(d, 4) <= 2720), lengths: [16], score: 0.9 },
  { test: (d) => num(d, 2) === 34 || num(d, 2) === 37, lengths: [15], score: 0.9 },
  { test: (d) => num(d, 4) === 6011 || (num(d, 3) >= 644 && num(d, 3) <= 649) || num(d, 2) === 65, lengths: [16, 17, 18, 19], score: 0.9 },
  { test: (d) => num(d, 4) >= 3528 && num(d, 4) <= 3589, lengths: [16, 17, 18, 19], score: 0.9 },
  { test: (d) => (num(d, 3) >= 300 && num(d, 3) <= 305) || num(d, 2) === 36 || num(d, 2) === 38 || num(d, 2) === 39, lengths: [14, 15, 16, 17, 18, 19], score: 0.85 },
  { test: (d) => num(d, 4) >= 2200 && num(d, 4) <= 2204, lengths: [16, 17, 18, 19], score: 0.85 },
  { test: (d) => ['5018', '5020', '5038', '5893', '6304', '6759', '6761', '6762', '6763'].includes(d.slice(0, 4)), lengths: [13, 14, 15, 16, 17, 18, 19], score: 0.85 },
  { test: (d) => d.startsWith('62'), lengths: [16, 17, 18, 19], score: 0.8 },
];

function looksLikeCnId(d: string): boolean {
  return cnRegionValid(d.slice(0, 6)) && realDate(Number(d.slice(6, 10)), Number(d.slice(10, 12)), Number(d.slice(12, 14)));
}

export function creditCardScore(digits: string): number | null {
  if (digits.length < 13 || digits.length > 19 || allSameChar(digits) || !luhnValid(digits)) return null;
  // 17- and 18-digit cards exist but are rare; an 18-digit number is far more often a resident ID or an order
  // number, so those lengths start lower and lose an overlap against a checksum-valid CN_ID_CARD.
  const rare = digits.length === 17 || digits.length === 18 ? 0.15 : 0;
  // An 18-digit number laid out like a resident ID (region code and birth date) is an ID, perhaps mistyped.
  if (digits.length === 18 && looksLikeCnId(digits)) return null;
  for (const iss of ISSUERS) if (iss.test(digits) && iss.lengths.includes(digits.length)) return iss.score - rare;
  return null;
}

export const creditCard: Recognizer = {
  name: 'credit_card_luhn',
  entity: 'CREDIT_CARD',
  patterns: [CARD_CANDIDATE],
  find(text: string, ctx: ScanContext, out: Finding[]) {
    for (const { start, end, shape } of cardCandidates(text)) {
      let score = creditCardScore(shape.digits);
      if (score === null) continue;
      if (!shape.separated) score -= 0.05;
      out.push({ type: 'CREDIT_CARD', start, end, score: boost(score, hasContext(text, start, end, CONTEXT, ctx)), recognizer: this.name });
    }
  },
};
