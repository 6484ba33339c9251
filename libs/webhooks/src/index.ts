export { generateSecret, secretKey, isWebhookSecret, SECRET_PREFIX } from './secret.js';
export { signWebhook, standardSignature, dphSignature, HEADER, type SignInput } from './sign.js';
export {
  verifyWebhook,
  WebhookVerificationError,
  VERIFY_FAILURES,
  type VerifyFailure,
  type VerifyOptions,
  type Verified,
  type Scheme,
} from './verify.js';
export { buildVectors, type VectorCase, type VectorFile } from './test-vectors.js';
export * from './subscriptions/index.js';
export * from './delivery/index.js';
