import { DphError } from '@dph/errors';
import { ERROR_CODES } from '@dph/contracts';

/**
 * Why a token was refused. Fixed vocabulary: it goes to logs, audit rows and the WWW-Authenticate header, so it
 * never carries token contents.
 */
export const AUTH_FAILURE_REASONS = [
  'missing_token', 'malformed_header', 'token_too_large', 'malformed_token', 'algorithm_not_allowed',
  'unknown_key', 'bad_signature', 'issuer_mismatch', 'audience_mismatch', 'expired', 'not_yet_valid',
  'missing_claim', 'invalid_claim', 'no_subject',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/** 401 with the RFC 6750 challenge the API puts into WWW-Authenticate. */
export class AuthenticationError extends DphError {
  readonly reason: AuthFailureReason;
  readonly challenge: string;
  constructor(reason: AuthFailureReason) {
    super(ERROR_CODES.unauthorized, 'authentication required', { status: 401, retryable: false });
    this.name = 'AuthenticationError';
    this.reason = reason;
    // RFC 6750 §3.1: no error attribute when the request simply had no credentials.
    this.challenge =
      reason === 'missing_token'
        ? 'Bearer realm="dph"'
        : `Bearer realm="dph", error="invalid_token", error_description="${reason}"`;
  }
}

/** The identity provider could not be reached and no usable cached keys or metadata exist. */
export class IdentityProviderUnavailableError extends DphError {
  constructor(cause?: unknown) {
    super(ERROR_CODES.serviceUnavailable, 'identity provider unavailable', { status: 503, retryable: true, cause });
    this.name = 'IdentityProviderUnavailableError';
  }
}
