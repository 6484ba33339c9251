import ipaddr from 'ipaddr.js';
import type { EgressDenyReason } from './errors.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;
export type Cidr = [Addr, number];

/** Ranges ipaddr.js reports as `unicast` or lumps into `reserved` that we name precisely or refuse anyway. */
const V4_EXTRA: ReadonlyArray<[string, EgressDenyReason]> = [
  ['192.0.2.0/24', 'documentation'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments (includes 192.0.0.8, 192.0.0.170/171 NAT64 discovery)
  ['198.18.0.0/15', 'reserved'], // benchmarking
  ['240.0.0.0/4', 'reserved'],
  ['0.0.0.0/8', 'unspecified'],
];
const V6_EXTRA: ReadonlyArray<[string, EgressDenyReason]> = [
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['fd00:ec2::254/128', 'metadata'],
  ['64:ff9b:1::/48', 'private'], // local-use NAT64 prefix (RFC 8215)
  ['::/96', 'ipv4_embedded'], // IPv4-compatible (deprecated); ipaddr.js calls most of it unicast
];

const parsedV4Extra = V4_EXTRA.map(([c, r]) => [ipaddr.parseCIDR(c), r] as const);
const parsedV6Extra = V6_EXTRA.map(([c, r]) => [ipaddr.parseCIDR(c), r] as const);

const METADATA_V4 = ipaddr.parse('169.254.169.254');
const [V4_COMPAT, V4_COMPAT_BITS] = ipaddr.parseCIDR('::/96') as [ipaddr.IPv6, number];
const inV4Compat = (a: ipaddr.IPv6): boolean => a.match(V4_COMPAT, V4_COMPAT_BITS);

const V4_RANGES: Record<string, EgressDenyReason | null> = {
  unicast: null,
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link_local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier_grade_nat',
  private: 'private',
  reserved: 'reserved',
  as112: 'reserved',
  amt: 'reserved',
};

/** Parses a comma/space separated CIDR list (DPH_EGRESS_ALLOW_CIDRS). A bare address means a single host. */
export function parseCidrList(value: string | undefined | readonly string[]): Cidr[] {
  if (value === undefined) return [];
  const items = typeof value === 'string' ? value.split(/[\s,]+/) : [...value];
  const out: Cidr[] = [];
  for (const raw of items) {
    const item = raw.trim();
    if (!item) continue;
    if (item.includes('/')) out.push(ipaddr.parseCIDR(item) as Cidr);
    else {
      const a = ipaddr.parse(item);
      out.push([a, a.kind() === 'ipv4' ? 32 : 128]);
    }
  }
  return out;
}

function inCidr(addr: Addr, cidr: Cidr): boolean {
  const [range, bits] = cidr;
  if (addr.kind() !== range.kind()) return false;
  return addr.match(range as never, bits);
}

function allowed(addr: Addr, allow: readonly Cidr[]): boolean {
  return allow.some((c) => inCidr(addr, c));
}

/** Extracts an IPv4 address carried inside an IPv6 one (mapped, compatible, NAT64, 6to4), if any. */
function embeddedV4(v6: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = v6.range();
  const b = v6.toByteArray();
  if (range === 'ipv4Mapped') return v6.toIPv4Address();
  if (range === 'rfc6052' || range === 'rfc6145') return ipaddr.fromByteArray(b.slice(12)) as ipaddr.IPv4;
  if (range === '6to4') return ipaddr.fromByteArray(b.slice(2, 6)) as ipaddr.IPv4;
  if (inV4Compat(v6)) return ipaddr.fromByteArray(b.slice(12)) as ipaddr.IPv4;
  return null;
}

function classifyV4(a: ipaddr.IPv4): EgressDenyReason | null {
  if (a.toString() === METADATA_V4.toString()) return 'metadata';
  if (a.range() === 'broadcast') return 'broadcast';
  for (const [[range, bits], reason] of parsedV4Extra) {
    if (range.kind() === 'ipv4' && a.match(range as ipaddr.IPv4, bits)) return reason;
  }
  const r = a.range();
  return r in V4_RANGES ? (V4_RANGES[r] ?? null) : 'reserved';
}

function classifyV6(a: ipaddr.IPv6): EgressDenyReason | null {
  for (const [[range, bits], reason] of parsedV6Extra) {
    if (range.kind() === 'ipv6' && a.match(range as ipaddr.IPv6, bits)) {
      // ::1 and :: sit inside ::/96 but deserve their own names.
      if (reason === 'ipv4_embedded') break;
      return reason;
    }
  }
  const r = a.range();
  switch (r) {
    case 'unicast':
      if (inV4Compat(a)) return 'ipv4_embedded';
      return null;
    case 'loopback':
      return 'loopback';
    case 'unspecified':
      return 'unspecified';
    case 'linkLocal':
      return 'link_local';
    case 'uniqueLocal':
      return 'unique_local';
    case 'multicast':
      return 'multicast';
    case 'ipv4Mapped':
      // Refused outright: a DNS answer or URL never needs the mapped form to reach a public host.
      return 'ipv4_embedded';
    case 'rfc6052':
    case 'rfc6145':
    case '6to4': {
      // NAT64 / 6to4 reach a public IPv4 host legitimately on IPv6-only networks; refuse them when the embedded
      // address is not itself public.
      const v4 = embeddedV4(a);
      return v4 && classifyV4(v4) === null ? null : 'ipv4_embedded';
    }
    default:
      // teredo, discard, orchid, benchmarking, segment routing, ... nothing a webhook or document host lives on.
      return 'reserved';
  }
}

/**
 * Decides whether an outbound connection to `address` is allowed. Only globally routable unicast passes, unless an
 * explicit allowlist entry (DPH_EGRESS_ALLOW_CIDRS) covers the address or the IPv4 address embedded in it.
 * Returns null when allowed, the deny reason otherwise.
 */
export function classifyAddress(address: string, allow: readonly Cidr[] = []): EgressDenyReason | null {
  const literal = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(literal)) return 'invalid_url';
  // ipaddr.parse accepts legacy IPv4 shorthands like "127.1"; process() also unwraps nothing by itself, keep raw.
  const addr = ipaddr.parse(literal);
  if (allowed(addr, allow)) return null;
  if (addr.kind() === 'ipv6') {
    const v4 = embeddedV4(addr as ipaddr.IPv6);
    if (v4 && allowed(v4, allow)) return null;
    return classifyV6(addr as ipaddr.IPv6);
  }
  return classifyV4(addr as ipaddr.IPv4);
}

export function isIpLiteral(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return ipaddr.IPv4.isValidFourPartDecimal(h) || ipaddr.IPv6.isValid(h);
}
