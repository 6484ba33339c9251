import ipaddr from 'ipaddr.js';
import { boost, hasContext, hasContextBefore } from '../context.js';
import type { Finding, Recognizer, ScanContext } from '../types.js';

const CONTEXT = ['ip', 'address', 'addr', 'host', 'server', 'client', 'gateway', 'dns', 'from', 'src', 'dst', '地址', '服务器', '主机', '网关'];
// Dotted quads after these words are versions or builds, not addresses.
const NEGATIVE = ['version', 'ver.', 'ver ', ' v', 'build', 'release', 'firmware', 'oid', '版本', '固件'];

const IPV4 = /(?<![0-9A-Za-z_.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9A-Za-z_]|\.\d)/g;
// IPv6 candidates are found from each ':' outwards (hex digits, colons, dots) instead of by a regular expression:
// a pattern that may start at any hex letter is retried at every a-f of ordinary prose.
const isV6Char = (c: number) => (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46;
const isWordChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const V4_TAIL = /\.\d/;

export const ipAddress: Recognizer = {
  name: 'ip_ipaddr',
  entity: 'IP_ADDRESS',
  patterns: [IPV4, V4_TAIL],
  find(text: string, ctx: ScanContext, out: Finding[]) {
    IPV4.lastIndex = 0;
    for (let m = IPV4.exec(text); m; m = IPV4.exec(text)) {
      // Four-part decimal only: no octal/hex forms, no leading zeros, every part 0-255.
      if (!ipaddr.IPv4.isValidFourPartDecimal(m[0])) continue;
      const start = m.index;
      const end = start + m[0].length;
      if (hasContextBefore(text, start, NEGATIVE, 12)) continue;
      out.push({ type: 'IP_ADDRESS', start, end, score: boost(0.8, hasContext(text, start, end, CONTEXT, ctx)), recognizer: this.name });
    }
    // Each maximal run of hex digits, colons and dots that holds a colon is looked at once: linear in the text.
    let runEnd = 0;
    for (let colon = text.indexOf(':'); colon >= 0; colon = text.indexOf(':', Math.max(colon + 1, runEnd))) {
      let s = colon;
      while (s > runEnd && isV6Char(text.charCodeAt(s - 1))) s--;
      let e = colon + 1;
      while (e < text.length && isV6Char(text.charCodeAt(e))) e++;
      runEnd = e;
      if (e - s > 45) continue; // longer than any address
      const runStart = s;
      while (e > colon + 1 && text.charCodeAt(e - 1) === 46) e--; // a sentence-ending dot
      while (s < colon && text.charCodeAt(s) === 46) s++;
      if ((s > 0 && (isWordChar(text.charCodeAt(s - 1)) || (s === runStart && text.charCodeAt(s - 1) === 46))) || (e < text.length && isWordChar(text.charCodeAt(e)))) continue;
      const raw = text.slice(s, e);
      if (raw.length < 3 || V4_TAIL.test(text.slice(e, e + 2))) continue;
      let colons = 0;
      let digit = false;
      for (let i = 0; i < raw.length; i++) {
        const c = raw.charCodeAt(i);
        if (c === 58) colons++;
        else if (c >= 48 && c <= 57) digit = true;
      }
      // Without "::" an address needs 8 groups (or 6 and a dotted quad): times such as 10:22:33 stop here.
      if (colons < 6 && !raw.includes('::')) continue;
      // At least one digit ("a::b" and "std::" are code, not addresses), and parseable.
      if (!digit || !ipaddr.IPv6.isValid(raw)) continue;
      out.push({ type: 'IP_ADDRESS', start: s, end: e, score: boost(0.85, hasContext(text, s, e, CONTEXT, ctx)), recognizer: this.name });
    }
  },
};
