import { createRequire } from 'node:module';
import { boost, hasContext } from '../context.js';
import type { Finding, Recognizer, ScanContext } from '../types.js';

const require = createRequire(import.meta.url);
// IANA root zone list bundled by the `tlds` package: no lookup at run time.
const TLDS: ReadonlySet<string> = new Set((require('tlds') as string[]).map((t) => t.toLowerCase()));

const CONTEXT = ['email', 'e-mail', 'mail', 'contact', '邮箱', '邮件', '电邮', '联系'];
const AT = /@/g;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function isLocalChar(c: number): boolean {
  // A-Z a-z 0-9 . _ % + - (the dot-atom subset people actually use; quoted local parts are not matched)
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}
function isDomainChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 45;
}

/**
 * Validates a domain: labels of 1-63 letters, digits and inner hyphens, and a top-level domain from the bundled
 * list. Returns how many characters of `domain` form the valid address (a trailing sentence dot is dropped).
 */
export function validDomainLength(domain: string): number {
  let d = domain;
  while (d.endsWith('.') || d.endsWith('-')) d = d.slice(0, -1);
  if (d.length < 3 || d.length > 253 || !d.includes('.')) return 0;
  const labels = d.toLowerCase().split('.');
  if (labels.length < 2) return 0;
  for (const l of labels) if (!LABEL.test(l)) return 0;
  const tld = labels[labels.length - 1]!;
  if (!TLDS.has(tld)) return 0;
  return d.length;
}

/**
 * Found by scanning for '@' and walking outwards with bounded loops instead of one regular expression: a pattern
 * such as `[\w.]+@` retried at every letter of a long word is quadratic.
 */
export const emailAddress: Recognizer = {
  name: 'email_tld',
  entity: 'EMAIL_ADDRESS',
  patterns: [AT, LABEL],
  find(text: string, ctx: ScanContext, out: Finding[]) {
    let from = 0;
    for (;;) {
      const at = text.indexOf('@', from);
      if (at < 0) return;
      from = at + 1;
      let s = at;
      while (s > 0 && at - s < 64 && isLocalChar(text.charCodeAt(s - 1))) s--;
      if (s > 0 && isLocalChar(text.charCodeAt(s - 1))) continue; // local part longer than 64
      while (s < at && (text[s] === '.' || text[s] === '-' || text[s] === '+')) s++;
      if (s === at || text[at - 1] === '.' || text.slice(s, at).includes('..')) continue;
      let e = at + 1;
      while (e < text.length && e - at <= 254 && isDomainChar(text.charCodeAt(e))) e++;
      const domain = text.slice(at + 1, e);
      if (domain.includes('..')) continue;
      const len = validDomainLength(domain);
      if (len === 0) continue;
      const end = at + 1 + len;
      from = end;
      out.push({ type: 'EMAIL_ADDRESS', start: s, end, score: boost(0.9, hasContext(text, s, end, CONTEXT, ctx), 0.1), recognizer: this.name });
    }
  },
};
