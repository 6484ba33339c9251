/**
 * Synthetic PII planted in the e2e documents. Values are fresh per run (so a red-line hit cannot be an old
 * run's leftovers) yet shaped like the real thing: Luhn-valid test-range cards, valid-layout SSNs, fictional
 * 555 numbers, documentation IP ranges, Chinese resident IDs with a correct check digit. E-mails use a domain the
 * credit policy does NOT whitelist (it allows example.com / bank-example.com).
 */
import { randomInt } from 'node:crypto';

export interface Planted {
  /** entity type → the planted value exactly as written in the document */
  email: string;
  ssn: string;
  card: string;
  usPhone: string;
  cnMobile: string;
  ip: string;
  cnId: string;
}

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

function luhnComplete(prefix: string): string {
  let sum = 0;
  for (let i = 0; i < prefix.length; i++) {
    let d = Number(prefix[prefix.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return prefix + String((10 - (sum % 10)) % 10);
}

function cnResidentId(): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const checks = '10X98765432';
  const birth = `19${70 + randomInt(25)}${String(1 + randomInt(12)).padStart(2, '0')}${String(1 + randomInt(28)).padStart(2, '0')}`;
  const body = `110101${birth}${digits(3)}`;
  const sum = [...body].reduce((s, c, i) => s + Number(c) * weights[i]!, 0);
  return body + checks[sum % 11]!;
}

export function plantValues(): Planted {
  const card = luhnComplete(`4${digits(14)}`);
  return {
    email: `e2e.${digits(6)}@mail-e2e.net`,
    ssn: `${100 + randomInt(500)}-${String(10 + randomInt(89))}-${String(1000 + randomInt(8999))}`,
    card: `${card.slice(0, 4)} ${card.slice(4, 8)} ${card.slice(8, 12)} ${card.slice(12)}`,
    usPhone: `+1 415-555-01${String(randomInt(100)).padStart(2, '0')}`,
    cnMobile: `13${randomInt(10)}${digits(8)}`,
    ip: `203.0.113.${1 + randomInt(250)}`,
    cnId: cnResidentId(),
  };
}

/** Every form a planted value could leak in: as written, and numbers without their separators. */
export function leakForms(p: Planted): string[] {
  const forms = new Set<string>();
  for (const v of Object.values(p)) {
    forms.add(v);
    const bare = v.replace(/[\s-]/g, '');
    if (bare !== v) forms.add(bare);
  }
  forms.delete(p.usPhone.replace(/[\s-]/g, '')); // "+14155550123" stays: it is a distinct form, kept below
  forms.add(p.usPhone.replace(/[\s-]/g, ''));
  return [...forms];
}

export const markdownDoc = (p: Planted, title: string) => `# ${title}

Applicant contact: ${p.email}, phone ${p.usPhone}, mobile ${p.cnMobile}.

| field | value |
|---|---|
| SSN | ${p.ssn} |
| Card | ${p.card} |
| Resident ID | ${p.cnId} |

Last login from ${p.ip}. Support is reachable at help@example.com (the lender's own address).
`;

export const htmlDoc = (p: Planted, title: string) => `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>
<h1>${title}</h1>
<p>客户邮箱 ${p.email}，手机 ${p.cnMobile}，身份证号 ${p.cnId}。</p>
<p>US contact ${p.usPhone}, SSN ${p.ssn}.</p>
<table><tr><th>卡号</th><th>登录IP</th></tr><tr><td>${p.card}</td><td>${p.ip}</td></tr></table>
</body></html>
`;

export const jsonDoc = (p: Planted, title: string) =>
  JSON.stringify({ title, applicant: { email: p.email, phone: p.usPhone, mobile: p.cnMobile, ssn: p.ssn, resident_id: p.cnId }, payment: { card: p.card }, session: { ip: p.ip } }, null, 2);
