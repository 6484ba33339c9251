export { WEBHOOK_EVENT_NAMES, ALL_JOB_EVENTS, eventNameOf, validateEventFilter, filterMatches } from './event-filter.js';
export { validateCallbackUrl, MAX_CALLBACK_URL_LENGTH, type CallbackUrlPolicy } from './callback-url.js';
export { createSecretBox, secretBoxFromFile, parseKey, type SecretBox, type SealedSecret } from './secret-box.js';
export { checkSecretPath, formatSecretRef, parseSecretRef, type SecretVault } from './vault-kv.js';
export { createNodeVault, type NodeVaultOptions } from './vault-node.js';
export {
  storeNewSecret,
  referenceVaultSecret,
  openStoredSecret,
  sealCallbackSecret,
  openCallbackSecret,
  subscriptionAad,
  callbackAad,
  type SecretStorage,
  type StoredSecret,
  type CallbackSecretRecord,
} from './secrets.js';
export {
  createSubscription,
  getSubscription,
  listSubscriptions,
  deleteSubscription,
  rotateSubscriptionSecret,
  signingSecretsOf,
  toView,
  toApiWebhook,
  DELETED_REASON,
  DEFAULT_ROTATION_GRACE_SECONDS,
  MAX_ROTATION_GRACE_SECONDS,
  SUBSCRIPTION_COLUMNS,
  type SubscriptionDeps,
  type CreateSubscriptionInput,
  type SubscriptionView,
  type SubscriptionRow,
} from './subscriptions.js';
