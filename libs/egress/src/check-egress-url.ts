import { toCidrs } from './agent.js';
import { resolveVetted, type ResolveAll, type VettedAddress } from './resolver.js';
import { checkUrl, type CheckedUrl } from './url-policy.js';

export interface EgressCheckOptions {
  allowHttp: boolean;
  allowCidrs?: string | readonly string[];
  resolveAll?: ResolveAll;
}

/**
 * The registration-time check (callback URLs, presigned_url sources before the job is accepted): URL policy plus
 * a resolution vetted now. It does not replace the connect-time check: DNS may change between now and delivery.
 */
export async function checkEgressUrl(
  input: string | URL,
  opts: EgressCheckOptions,
): Promise<CheckedUrl & { addresses: VettedAddress[] }> {
  const checked = checkUrl(input, { allowHttp: opts.allowHttp });
  const addresses = await resolveVetted(checked.host, toCidrs(opts.allowCidrs), opts.resolveAll);
  return { ...checked, addresses };
}
