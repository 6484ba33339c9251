import { boost, hasContext } from '../context.js';
import type { Finding, Recognizer, ScanContext } from '../types.js';

const CONTEXT = ['手机', '电话', '联系', '致电', '来电', '热线', 'mobile', 'phone', 'tel', 'cell', 'call', 'whatsapp', 'wechat', '微信'];

// +86 / 0086 / 86 prefix optional; 3-4-4 with one kind of separator or none.
const CN_MOBILE = /(?<![0-9A-Za-z_+])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9A-Za-z_])/g;

// Three-digit network prefixes assigned to mainland operators (MIIT numbering plan), including virtual operators
// (170/171, 162/165/167) and IoT-capable data ranges that also carry voice (145-149).
const PREFIXES = new Set([
  ...'0123456789'.split('').map((d) => '13' + d),
  '145', '146', '147', '148', '149',
  '150', '151', '152', '153', '155', '156', '157', '158', '159',
  '162', '165', '166', '167',
  '170', '171', '172', '173', '175', '176', '177', '178',
  ...'0123456789'.split('').map((d) => '18' + d),
  '190', '191', '192', '193', '195', '196', '197', '198', '199',
]);

export function cnMobilePrefixValid(elevenDigits: string): boolean {
  return elevenDigits.length === 11 && PREFIXES.has(elevenDigits.slice(0, 3));
}

export const cnMobile: Recognizer = {
  name: 'cn_mobile_prefix',
  entity: 'CN_MOBILE',
  patterns: [CN_MOBILE],
  find(text: string, ctx: ScanContext, out: Finding[]) {
    CN_MOBILE.lastIndex = 0;
    for (let m = CN_MOBILE.exec(text); m; m = CN_MOBILE.exec(text)) {
      const raw = m[0];
      // The national part is the last 11 digits; its separators must be of one kind (the +86 prefix may differ).
      let digits = 0;
      let i = raw.length - 1;
      const seps = new Set<string>();
      for (; i >= 0 && digits < 11; i--) {
        const ch = raw[i]!;
        if (ch >= '0' && ch <= '9') digits++;
        else seps.add(ch);
      }
      const national = raw.slice(i + 1).replace(/[ -]/g, '');
      const hasPrefix = i >= 0;
      if (!cnMobilePrefixValid(national) || seps.size > 1) continue;
      const start = m.index;
      const end = start + raw.length;
      const base = hasPrefix ? 0.9 : 0.85;
      out.push({ type: 'CN_MOBILE', start, end, score: boost(base, hasContext(text, start, end, CONTEXT, ctx)), recognizer: this.name });
    }
  },
};
