import { DphError } from '@dph/errors';
import { ERROR_CODES } from '@dph/contracts';

/** A policy file that cannot be used. The message names the file and the key, never a value from the file. */
export class PolicyError extends DphError {
  readonly key: string;
  constructor(key: string, message: string) {
    super(ERROR_CODES.validationFailed, message, { status: 400, retryable: false, details: { key } });
    this.name = 'PolicyError';
    this.key = key;
  }
}
