import { allSameChar, luhnValid } from '../checksums.js';
import { hasContext } from '../context.js';
import type { Finding, Recognizer, ScanContext } from '../types.js';
import { CARD_CANDIDATE, cardCandidates } from './shared.js';

const CONTEXT = ['卡号', '银行卡', '账号', '帐号', '账户', '帐户', '开户', '储蓄卡', '借记卡', '信用卡', '收款', 'account', 'card no', 'card number', 'bank card', 'acct'];

// UnionPay (62) plus the older domestic BIN families still in circulation (ICBC 9558, ABC 95599, BOC 6013, and
// a few Visa/Mastercard co-branded debit BINs of the big four banks).
const BIN_PREFIXES = ['62', '9558', '95595', '95596', '95597', '95598', '95599', '6013', '603367', '603601', '436742', '456351', '427010', '427018', '427020', '427030', '427039', '403361', '404117', '524091', '531693', '552245', '558360'];

function domesticBin(d: string): boolean {
  for (const p of BIN_PREFIXES) if (d.startsWith(p)) return true;
  return false;
}

export const cnBankCard: Recognizer = {
  name: 'cn_bank_card_bin',
  entity: 'CN_BANK_CARD',
  patterns: [CARD_CANDIDATE],
  find(text: string, ctx: ScanContext, out: Finding[]) {
    for (const { start, end, shape } of cardCandidates(text)) {
      const d = shape.digits;
      if (d.length < 16 || d.length > 19 || !domesticBin(d) || allSameChar(d)) continue;
      const context = hasContext(text, start, end, CONTEXT, ctx);
      let score: number;
      // Co-branded Visa/Mastercard debit BINs score under CREDIT_CARD (0.85 bare, 0.9 grouped), so the scheme type wins the overlap
      // while CN_BANK_CARD still covers them in a scene that disables CREDIT_CARD.
      const coBranded = d[0] === '4' || d[0] === '5';
      if (luhnValid(d)) score = coBranded ? (context ? 0.9 : 0.8) : context ? 1 : 0.9;
      else if (context) score = 0.65; // many domestic debit cards predate Luhn; the label is what makes it a card
      else continue;
      out.push({ type: 'CN_BANK_CARD', start, end, score, recognizer: this.name });
    }
  },
};
