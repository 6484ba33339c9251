import ipaddr from 'ipaddr.js';
import { boost, hasContext, hasContextBefore } from '../context.js';
import type { Finding, Recognizer, ScanContext } from '../types.js';

const CONTEXT = ['ip', 'address', 'addr', 'host', 'server', 'client', 'gateway', 'dns', 'from', 'src', 'dst', '地址', '服务器', '主机', '网关'];
// Dotted quads after these words are versions or builds, not addresses.
const NEGATIVE = ['version', 'ver.', 'ver ', ' v', 'build', 'release', 'firmware', 'oid', '版本', '固件'];

const IPV4 = /(?<![0-9A-Za-z_.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9A-Za-z_]|\.\d)/g;
const IPV6 = /(?<![0-9A-Za-z_:.])(?:[0-9A-Fa-f]{1,4})?::?(?:[0-9A-Fa-f]{1,4}::?){0,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{1,4})?(?![0-9A-Za-z_:]|\.\d)/g;

export const ipAddress: Recognizer = {
  name: 'ip_ipaddr',
  entity: 'IP_ADDRESS',
  patterns: [IPV4, IPV6],
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
    IPV6.lastIndex = 0;
    for (let m = IPV6.exec(text); m; m = IPV6.exec(text)) {
      const raw = m[0];
      if (raw.length < 3) continue;
      let colons = 0;
      let digit = false;
      for (let i = 0; i < raw.length; i++) {
        const c = raw.charCodeAt(i);
        if (c === 58) colons++;
        else if (c >= 48 && c <= 57) digit = true;
      }
      // Without "::" an address needs 8 groups (or 6 and a dotted quad): times such as 10:22:33 stop here.
      if (colons < 6 && !raw.includes('::')) continue;
      // At least two colons, at least one digit ("a::b" and "std::" are code, not addresses), and parseable.
      if (colons < 2 || !digit || !ipaddr.IPv6.isValid(raw)) continue;
      const start = m.index;
      const end = start + raw.length;
      out.push({ type: 'IP_ADDRESS', start, end, score: boost(0.85, hasContext(text, start, end, CONTEXT, ctx)), recognizer: this.name });
    }
  },
};
