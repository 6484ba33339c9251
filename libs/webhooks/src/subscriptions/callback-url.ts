import { DphError } from '@dph/errors';
import { ERROR_CODES } from '@dph/contracts';
import { checkEgressUrl, type ResolveAll } from '@dph/egress';

export interface CallbackUrlPolicy {
  /** http:// is accepted only when DPH_ENV=development. */
  allowHttp: boolean;
  /** DPH_EGRESS_ALLOW_CIDRS. */
  allowCidrs?: string | readonly string[];
  resolveAll?: ResolveAll;
}

export const MAX_CALLBACK_URL_LENGTH = 2048;

/**
 * Registration-time check of a callback URL: HTTPS (outside development), no credentials, no fragment, and a host
 * that resolves only to addresses the egress guard accepts. Delivery re-checks at connect time; this early check
 * gives the caller a clear 422 instead of a subscription that can never deliver.
 */
export async function validateCallbackUrl(input: unknown, policy: CallbackUrlPolicy): Promise<string> {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_CALLBACK_URL_LENGTH) {
    throw new DphError(ERROR_CODES.validationFailed, 'callbackUrl must be a URL of at most 2048 characters', {
      status: 422,
      details: { field: 'callbackUrl' },
    });
  }
  const checked = await checkEgressUrl(input, {
    allowHttp: policy.allowHttp,
    ...(policy.allowCidrs !== undefined ? { allowCidrs: policy.allowCidrs } : {}),
    ...(policy.resolveAll ? { resolveAll: policy.resolveAll } : {}),
  });
  const url = checked.url;
  url.hash = '';
  return url.toString();
}
