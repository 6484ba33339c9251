import { EgressDeniedError } from './errors.js';

/** Host names that reach cloud metadata services or this machine whatever the DNS says. */
const DENIED_NAMES = new Set([
  'localhost',
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
]);

export interface UrlPolicy {
  /** Plain http:// is accepted only in development (DPH_ENV=development). */
  allowHttp: boolean;
}

export interface CheckedUrl {
  url: URL;
  /** Host without IPv6 brackets and without a trailing dot. */
  host: string;
}

/**
 * Parses with the WHATWG URL parser, which already normalizes numeric hosts (`127.1`, `0x7f.1`, `2130706433`,
 * `0177.0.0.1` all become `127.0.0.1`; `[::ffff:127.0.0.1]` becomes `[::ffff:7f00:1]`), so the address policy
 * sees the canonical address instead of a hand-parsed guess.
 */
export function checkUrl(input: string | URL, policy: UrlPolicy): CheckedUrl {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new EgressDeniedError('invalid_url');
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    throw new EgressDeniedError('scheme_not_allowed');
  }
  if (url.username || url.password) throw new EgressDeniedError('credentials_in_url');
  let host = url.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  while (host.endsWith('.')) host = host.slice(0, -1);
  if (!host) throw new EgressDeniedError('invalid_url');
  const lower = host.toLowerCase();
  if (lower.endsWith('.localhost') || lower === 'localhost') throw new EgressDeniedError('loopback');
  if (DENIED_NAMES.has(lower)) throw new EgressDeniedError('metadata');
  return { url, host };
}
