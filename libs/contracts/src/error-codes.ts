/** Stable error codes (API `error` member, job `errorCode`, metric label values). Never rename one. */
export const ERROR_CODES = {
  // API
  unauthorized: 'unauthorized',
  sceneNotGranted: 'scene_not_granted',
  forbidden: 'forbidden',
  notFound: 'not_found',
  methodNotAllowed: 'method_not_allowed',
  validationFailed: 'validation_failed',
  duplicateIdempotencyKey: 'duplicate_idempotency_key',
  idempotencyKeyRequired: 'idempotency_key_required',
  alreadyTerminal: 'already_terminal',
  payloadTooLarge: 'payload_too_large',
  unsupportedMediaType: 'unsupported_media_type',
  sourceNotFound: 'source_not_found',
  sourceRefNotAllowed: 'source_ref_not_allowed',
  egressDenied: 'egress_denied',
  rateLimited: 'rate_limited',
  internalError: 'internal_error',
  serviceUnavailable: 'service_unavailable',
  // Webhooks (operator replay)
  deliveryNotDead: 'delivery_not_dead',
  endpointDisabled: 'endpoint_disabled',
  // Jobs (worker)
  emptyContent: 'empty_content',
  unsupportedType: 'unsupported_type',
  sourceFetchFailed: 'source_fetch_failed',
  sourceTooLarge: 'source_too_large',
  parseFailed: 'parse_failed',
  needsOcr: 'needs_ocr',
  engineUnavailable: 'engine_unavailable',
  noZoneForClassification: 'no_zone_for_classification',
  cancelled: 'cancelled',
  notEncrypted: 'object_not_kms_encrypted',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];
