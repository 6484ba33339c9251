import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { classifyAddress, type Cidr } from './address-policy.js';
import { EgressDeniedError } from './errors.js';

/** All addresses of a name, in resolver order. Injectable so tests can simulate DNS answers (rebinding, private). */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolveAll: ResolveAll = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

export interface VettedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a name and vets every answer. One refused answer refuses the whole name: a mixed answer is how
 * rebinding attacks hide a private address behind a public one.
 */
export async function resolveVetted(
  hostname: string,
  allow: readonly Cidr[],
  resolveAll: ResolveAll = systemResolveAll,
): Promise<VettedAddress[]> {
  if (ipaddr.isValid(hostname)) {
    const reason = classifyAddress(hostname, allow);
    if (reason) throw new EgressDeniedError(reason);
    const kind = ipaddr.parse(hostname).kind();
    return [{ address: hostname, family: kind === 'ipv4' ? 4 : 6 }];
  }
  let answers: LookupAddress[];
  try {
    answers = await resolveAll(hostname);
  } catch {
    throw new EgressDeniedError('unresolvable');
  }
  if (answers.length === 0) throw new EgressDeniedError('unresolvable');
  for (const a of answers) {
    const reason = classifyAddress(a.address, allow);
    if (reason) throw new EgressDeniedError(reason);
  }
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls.connect that returns only vetted addresses. The socket connects to exactly what was
 * checked — there is no second resolution a rebinding DNS server could answer differently — while the URL's host
 * stays the TLS servername and Host header, so certificate verification is unchanged.
 */
export function vettedLookup(allow: readonly Cidr[], resolveAll: ResolveAll = systemResolveAll) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    resolveVetted(hostname, allow, resolveAll).then(
      (vetted) => {
        const fam = options.family === 6 || options.family === 'IPv6' ? 6 : options.family === 4 || options.family === 'IPv4' ? 4 : 0;
        const chosen = fam ? vetted.filter((v) => v.family === fam) : vetted;
        if (chosen.length === 0) {
          callback(Object.assign(new Error('no address of the requested family'), { code: 'ENOTFOUND' }), '', 0);
          return;
        }
        if (options.all) callback(null, chosen.map((v) => ({ address: v.address, family: v.family })));
        else callback(null, chosen[0]!.address, chosen[0]!.family);
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
}
