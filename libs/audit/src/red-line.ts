/**
 * The audit red line: an audit payload records entity types, offsets, confidence and recognizer names, never a
 * matched value and never a hash of one. This guard refuses a payload that has a field shaped to carry a value
 * (by its key) or a string the PII engine recognises. It is deliberately strict: a refused event goes to the
 * dead-letter queue for a person to look at, while a leaked value in an append-only table can never be removed.
 */
import { UUID_PATTERN } from '@dph/contracts';

/** The narrow view of the PII engine the guard needs: entity types found in a string. */
export type PiiScan = (text: string) => readonly { type: string }[];

export type RedLineReason = 'value_key' | 'secret_key' | 'entity_key' | 'pii_value' | 'pii_key' | 'long_string' | 'too_deep';

export interface RedLineViolation {
  /** JSON path of the offending field, e.g. $.hits[0].text (key names only: never the value). */
  path: string;
  reason: RedLineReason;
  /** For pii_value / pii_key: the entity type recognised. */
  entityType?: string;
}

/** Words in a key that say "this holds a value or a credential", whatever its type. */
const SECRET_WORDS = new Set([
  'secret', 'password', 'passwd', 'pwd', 'token', 'tokens', 'credential', 'credentials', 'cookie',
  'authorization', 'bearer', 'apikey', 'privatekey', 'plaintext', 'otp', 'pin',
]);
const VALUE_WORDS = new Set([
  'value', 'values', 'text', 'match', 'matched', 'matches', 'raw', 'original', 'snippet', 'excerpt', 'context',
  'sample', 'content', 'hash', 'digest', 'preview', 'quote', 'surrounding', 'before', 'after', 'body',
]);
/** Words naming an entity: fine for a count ({"EMAIL_ADDRESS": 3}), refused for a string. */
const ENTITY_WORDS = new Set([
  'email', 'mail', 'phone', 'mobile', 'tel', 'ssn', 'iban', 'card', 'pan', 'ip', 'address', 'passport', 'birth',
  'dob', 'idcard', 'bankcard', 'account', 'username', 'fullname',
]);
/** A last word that makes the key metadata about the thing, not the thing (secret_ref, raw_key, token_count). */
const METADATA_SUFFIXES = new Set([
  'count', 'counts', 'ms', 'bytes', 'size', 'at', 'id', 'ids', 'ref', 'version', 'type', 'types', 'kind', 'key',
  'bucket', 'length', 'len', 'offset', 'offsets', 'start', 'end', 'status', 'code', 'reason', 'expires',
]);
/** Metadata suffixes that do not clear a secret word: secret_key is the secret. */
const SECRET_UNSAFE_SUFFIXES = new Set(['key', 'bucket']);

const MAX_STRING = 512;
const MAX_DEPTH = 8;

function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function keyViolation(key: string, leafIsString: boolean, leafIsLargeNumber: boolean): RedLineReason | undefined {
  const w = words(key);
  if (w.length === 0) return undefined;
  const joined = w.join('');
  const last = w[w.length - 1]!;
  const metadata = w.length > 1 && METADATA_SUFFIXES.has(last);
  if (w.some((x) => SECRET_WORDS.has(x)) || /apikey|privatekey|secretkey|accesskey/.test(joined)) {
    if (!metadata || SECRET_UNSAFE_SUFFIXES.has(last)) return 'secret_key';
  }
  if (w.some((x) => VALUE_WORDS.has(x)) && !metadata) return 'value_key';
  if ((leafIsString || leafIsLargeNumber) && w.some((x) => ENTITY_WORDS.has(x)) && !metadata) return 'entity_key';
  return undefined;
}

/**
 * Verdicts by key and leaf kind, memoised: payloads repeat a small set of keys (entity_type, start, end ...), and
 * splitting a key into words is most of the guard's cost. Pure function of its inputs, so caching changes
 * nothing it decides; the map is emptied when full, which bounds it whatever keys arrive.
 */
const keyVerdicts = new Map<string, RedLineReason | null>();
const KEY_VERDICTS_MAX = 4096;

function cachedKeyViolation(key: string, leafIsString: boolean, leafIsLargeNumber: boolean): RedLineReason | undefined {
  const k = `${leafIsString ? 's' : '-'}${leafIsLargeNumber ? 'n' : '-'}${key}`;
  let v = keyVerdicts.get(k);
  if (v === undefined) {
    v = keyViolation(key, leafIsString, leafIsLargeNumber) ?? null;
    if (keyVerdicts.size >= KEY_VERDICTS_MAX) keyVerdicts.clear();
    keyVerdicts.set(k, v);
  }
  return v ?? undefined;
}


/**
 * A canonical UUID is one of our identifiers (event, job, delivery ids), never a personal value; its digit groups
 * can still look like a phone number to the recognizers, so scans of audit values skip it.
 */
export const isOwnIdentifier = (v: string): boolean => UUID_PATTERN.test(v);

/** Checks a payload; an empty result means it may be written. */
export function checkAuditPayload(payload: unknown, scan?: PiiScan): RedLineViolation[] {
  const out: RedLineViolation[] = [];
  const scanString = (s: string, path: string, reason: 'pii_value' | 'pii_key') => {
    if (!scan) return;
    const hits = scan(s);
    if (hits.length > 0) out.push({ path, reason, entityType: hits[0]!.type });
  };
  const walk = (v: unknown, path: string, key: string | undefined, depth: number) => {
    if (depth > MAX_DEPTH) {
      out.push({ path, reason: 'too_deep' });
      return;
    }
    if (key !== undefined) {
      const isString = typeof v === 'string' || (Array.isArray(v) && v.some((x) => typeof x === 'string'));
      // Counts are small; a number of 7+ digits may itself be a phone or card number.
      const isLargeNumber = typeof v === 'number' && Math.abs(v) >= 1_000_000;
      const reason = cachedKeyViolation(key, isString, isLargeNumber);
      if (reason) out.push({ path, reason });
    }
    if (typeof v === 'string') {
      if (v.length > MAX_STRING) out.push({ path, reason: 'long_string' });
      else if (!isOwnIdentifier(v)) scanString(v, path, 'pii_value');
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`, undefined, depth + 1));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const p = /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `${path}.${k}` : `${path}[?]`;
        scanString(k, p, 'pii_key');
        walk(x, p, k, depth + 1);
      }
    }
  };
  walk(payload, '$', undefined, 0);
  return out;
}
