import { createEngine, type PiiEngine } from './engine.js';
import { defaultPolicy } from './policy/load.js';
import { auditPayloadForFinding, type PiiAuditPayload } from './audit-payload.js';

let engine: PiiEngine | undefined;
// Every entity, default threshold, no whitelist: the red-line guard must not be relaxed by a scene's policy.
const guardEngine = () => (engine ??= createEngine(defaultPolicy()));

/** True when `text` holds anything the engine recognises. For red-line guards before a write. */
export function containsPii(text: string): boolean {
  return guardEngine().scanText(text).length > 0;
}

/**
 * Every PII hit in the strings (and keys) of a JSON-like value, as audit payloads with paths: safe to log. Used
 * by writers of audit rows and logs to refuse a payload that would leak a value.
 */
export function findPiiInValue(value: unknown): PiiAuditPayload[] {
  return guardEngine().redactJson(value).findings.map(auditPayloadForFinding);
}
