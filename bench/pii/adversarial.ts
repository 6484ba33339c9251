// 1 MB inputs built to make each recognizer's patterns and validators work as hard as possible.
import type { EntityType } from '@dph/pii';

const MB = 1 << 20;
const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

export const ADVERSARIAL: Record<EntityType, Record<string, string>> = {
  CREDIT_CARD: { digits: fill('4'), 'digit-space': fill('4 '), 'digit-dash': fill('4-'), 'cards-glued': fill('4111111111111111') },
  US_SSN: { digits: fill('1'), 'ssn-dash-run': fill('123-45-'), 'ssn-glued': fill('123-45-6789-') },
  PHONE_NUMBER: { 'plus-space': fill('+1 '), 'digit-space': fill('1 '), parens: fill('(1) '), 'dotted': fill('1.'), 'phones-glued': fill('415-555-2671 ') },
  EMAIL_ADDRESS: { letters: fill('a'), ats: fill('@'), 'a-at': fill('a@'), 'dots-at': fill('a.') + '@', 'domain-run': 'x@' + fill('a.'), 'local-run': fill('a') + '@example.com' },
  IP_ADDRESS: { 'dotted-digits': fill('1.1.1.1.'), colons: fill(':'), 'hex-colon': fill('a:'), 'v6-run': fill('1:2:3:4:5:6:7:8:'), 'double-colon': fill('1::') },
  CN_MOBILE: { digits: fill('1'), 'mobile-glued': fill('13800138000'), 'plus86': fill('+86 ') },
  CN_ID_CARD: { digits: fill('1'), 'ids-glued': fill('11010519491231002X'), 'x-run': fill('1X') },
  CN_BANK_CARD: { 'sixty-two': fill('62'), 'cards-space': fill('6222 0212 3456 7890 ') },
};
