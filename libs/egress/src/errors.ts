import { DphError } from '@dph/errors';
import { ERROR_CODES } from '@dph/contracts';

/**
 * Why an outbound request was refused. Only the category reaches clients and logs: the resolved address and the
 * host are never echoed back, so the guard cannot be used to map an internal network.
 */
export const EGRESS_DENY_REASONS = [
  'invalid_url',
  'scheme_not_allowed',
  'credentials_in_url',
  'port_not_allowed',
  'loopback',
  'private',
  'link_local',
  'carrier_grade_nat',
  'unique_local',
  'metadata',
  'ipv4_embedded',
  'multicast',
  'broadcast',
  'unspecified',
  'reserved',
  'documentation',
  'unresolvable',
  'redirect',
] as const;
export type EgressDenyReason = (typeof EGRESS_DENY_REASONS)[number];

export class EgressDeniedError extends DphError {
  readonly reason: EgressDenyReason;
  constructor(reason: EgressDenyReason) {
    super(ERROR_CODES.egressDenied, `outbound request refused: ${reason}`, {
      status: 422,
      retryable: false,
      details: { reason },
    });
    this.name = 'EgressDeniedError';
    this.reason = reason;
  }
}

export function isEgressDenied(err: unknown): err is EgressDeniedError {
  return err instanceof EgressDeniedError;
}
