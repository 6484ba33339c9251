import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import { parseCidrList, type Cidr } from './address-policy.js';
import { systemResolveAll, vettedLookup, type ResolveAll } from './resolver.js';

export interface GuardedAgentOptions {
  /** Explicitly opened ranges (DPH_EGRESS_ALLOW_CIDRS); everything non-public is refused otherwise. */
  allowCidrs?: string | readonly string[] | readonly Cidr[];
  resolveAll?: ResolveAll;
  /** Extra CA certificates (PEM) trusted for HTTPS, e.g. the local stack's CA in tests. */
  ca?: string | Buffer | Array<string | Buffer>;
  connectTimeoutMs?: number;
  /** Keep-alive connections per origin; the dispatcher benefits from reuse, document fetches do not need many. */
  connections?: number;
  keepAliveTimeoutMs?: number;
}

export function toCidrs(value: GuardedAgentOptions['allowCidrs']): Cidr[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return parseCidrList(value);
  if (value.length > 0 && Array.isArray(value[0])) return [...(value as readonly Cidr[])];
  return parseCidrList(value as readonly string[]);
}

/**
 * An undici Agent whose every connection goes through the vetted lookup. undici passes `lookup` straight to
 * net.connect / tls.connect, so the check and the connect use one and the same resolution; `servername` stays the
 * URL host so TLS verifies the certificate of the name the client asked for. Redirects are never followed: this
 * agent has no redirect interceptor and callers treat 3xx as a failure.
 */
export function createGuardedAgent(options: GuardedAgentOptions = {}): Agent {
  const allow = toCidrs(options.allowCidrs);
  const lookup = vettedLookup(allow, options.resolveAll ?? systemResolveAll);
  return new Agent({
    connect: {
      lookup: lookup as never,
      timeout: options.connectTimeoutMs ?? 10_000,
      // Node's `ca` replaces the public roots; extra CAs are meant to be trusted beside them.
      ...(options.ca ? { ca: [...rootCertificates, ...(Array.isArray(options.ca) ? options.ca : [options.ca])] } : {}),
    },
    connections: options.connections ?? null,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
  } as ConstructorParameters<typeof Agent>[0]);
}
