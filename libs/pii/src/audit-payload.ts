import { RECOGNIZER_NAMES } from './recognizers/index.js';
import { isEntityType, type EntityType } from './types.js';
import { parsePath } from './json-path.js';

/** What an audit row, log line or metric may say about a hit. Nothing here can hold a value. */
export interface PiiAuditPayload {
  entity_type: EntityType | 'UNKNOWN';
  start: number;
  end: number;
  confidence: number;
  recognizer: string;
  path?: string;
}

const SAFE_SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

const offset = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : -1);

/**
 * Rebuilds a JSON path from its segments, keeping identifier-like keys and indices and replacing any other key
 * with `*`: a key may itself be a value (`{"alice@example.com": ...}`).
 */
function safePath(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > 4096) return undefined;
  if (v.endsWith('.{key}')) {
    const parent = safePath(v.slice(0, -6));
    return parent === undefined ? undefined : parent + '.{key}';
  }
  const steps = parsePath(v);
  if (!steps) return undefined;
  let out = '$';
  for (const s of steps) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string' && SAFE_SEGMENT.test(s)) out += `.${s}`;
    else out += '.*';
  }
  return out;
}

/**
 * The ONLY way hits leave the engine (audit rows, logs, metrics). It copies a fixed set of fields, each checked
 * for type and range, from whatever it is given: extra fields (a value, a snippet) are never read, an unknown
 * entity type becomes UNKNOWN, an unknown recognizer name becomes "unknown", and path keys that are not plain
 * identifiers become `*`.
 */
export function auditPayloadForFinding(finding: unknown): PiiAuditPayload {
  const f = (finding && typeof finding === 'object' ? finding : {}) as Record<string, unknown>;
  const type = f.type ?? f.entity_type;
  const score = typeof f.score === 'number' ? f.score : f.confidence;
  const payload: PiiAuditPayload = {
    entity_type: isEntityType(type) ? type : 'UNKNOWN',
    start: offset(f.start),
    end: offset(f.end),
    confidence: typeof score === 'number' && Number.isFinite(score) ? Math.round(Math.min(1, Math.max(0, score)) * 100) / 100 : 0,
    recognizer: typeof f.recognizer === 'string' && RECOGNIZER_NAMES.has(f.recognizer) ? f.recognizer : 'unknown',
  };
  const path = safePath(f.path);
  if (path !== undefined) payload.path = path;
  return payload;
}
