import { DphError } from '@dph/errors';
import { ERROR_CODES } from '@dph/contracts';

// Messages are fixed phrases: a parser's own message may quote document content, so it only travels as `cause`.
export const emptyContent = (what = 'document has no text content') =>
  new DphError(ERROR_CODES.emptyContent, what, { status: 422, retryable: false });

export const unsupportedType = (what = 'document type is not supported') =>
  new DphError(ERROR_CODES.unsupportedType, what, { status: 415, retryable: false });

export const parseFailed = (what: string, cause?: unknown) =>
  new DphError(ERROR_CODES.parseFailed, what, { status: 422, retryable: false, cause });

export const needsOcr = () =>
  new DphError(ERROR_CODES.needsOcr, 'scanned PDF needs an OCR engine and none is configured', {
    status: 422,
    retryable: false,
  });

/** An engine that is down is transient from the job's point of view: a later delivery may find it up. */
export const engineUnavailable = (engine: string, cause?: unknown) =>
  new DphError(ERROR_CODES.engineUnavailable, `engine ${engine} is unavailable`, {
    status: 503,
    retryable: true,
    cause,
  });
