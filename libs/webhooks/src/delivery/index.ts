export { buildPayload, eventNameOfEvent, eventSeq, subscriptionEndpointKey, callbackEndpointKey, type WebhookPayload } from './payload.js';
export { judgeResponse, parseRetryAfter, backoffMs, DEFAULT_RETRY_POLICY, type RetryPolicy, type AttemptVerdict } from './retry-policy.js';
export { sendWebhook, EXCERPT_LIMIT, type SendInput, type AttemptResult } from './sender.js';
export {
  recordEventDeliveries, recordEventDeliveriesMany, intakeDeliveries, claimDue, sweepJobProgress, DEFAULT_ORDER_HOLD_MS, completeAttempts, completeAttemptsWithAudits, deadLetterOpenDeliveries, disableSubscriptionForFailures,
  auditBatchOutboxMessages, auditOutboxMessage, AUDIT_BATCH_EVENTS, deliveryAudit, type ClaimedDelivery, type CompletedAttempt, type Completion, type SubscriptionHealth,
} from './store.js';
export { SigningSecretCache } from './secret-cache.js';
export type { EndpointRoom } from './endpoint-slots.js';
export { DeliveryEngine, type EngineDb, type EngineHooks, type EngineOptions, type AttemptOutcome } from './engine.js';
export { replayDelivery, replayDeadDeliveries, listDeliveries, type DeliveryView } from './replay.js';
