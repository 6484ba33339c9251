export { EgressDeniedError, isEgressDenied, EGRESS_DENY_REASONS, type EgressDenyReason } from './errors.js';
export { classifyAddress, parseCidrList, isIpLiteral, type Cidr } from './address-policy.js';
export { checkUrl, type UrlPolicy, type CheckedUrl } from './url-policy.js';
export { resolveVetted, vettedLookup, systemResolveAll, type ResolveAll, type VettedAddress } from './resolver.js';
export { createGuardedAgent, toCidrs, type GuardedAgentOptions } from './agent.js';
export { fetchGuarded, mapTransportError, isDevelopment, type FetchGuardedOptions, type GuardedResponse } from './fetch-guarded.js';
export { checkEgressUrl, type EgressCheckOptions } from './check-egress-url.js';
