export { ENTITY_TYPES, isEntityType, type EntityType, type Finding } from './types.js';
export { createEngine, type PiiEngine, type ScanOptions, type EngineOptions } from './engine.js';
export { auditPayloadForFinding, type PiiAuditPayload } from './audit-payload.js';
export { containsPii, findPiiInValue } from './guard.js';
export { loadPolicy, loadPolicyDir, policyForScene, parsePolicy, defaultPolicy, BUNDLED_POLICY_DIR } from './policy/load.js';
export { PolicyError } from './policy/policy-error.js';
export { POLICY_SCHEMA } from './policy/schema.js';
export type { Policy, OperatorSpec, OperatorType, WhitelistContext, WhitelistPattern } from './policy/types.js';
