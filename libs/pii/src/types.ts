/** The entity types the engine knows. Names follow the Presidio spelling where the type is shared. */
export const ENTITY_TYPES = [
  'CREDIT_CARD',
  'US_SSN',
  'PHONE_NUMBER',
  'EMAIL_ADDRESS',
  'IP_ADDRESS',
  'CN_MOBILE',
  'CN_ID_CARD',
  'CN_BANK_CARD',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export function isEntityType(v: unknown): v is EntityType {
  return typeof v === 'string' && (ENTITY_TYPES as readonly string[]).includes(v);
}

/**
 * One hit. Offsets are UTF-16 code units (JavaScript string indices) into the scanned text, end exclusive.
 * A finding never carries the matched value: callers that need it slice the text they already hold.
 */
export interface Finding {
  type: EntityType;
  start: number;
  end: number;
  score: number;
  recognizer: string;
  /** JSON field path (redactJson only), e.g. `$.customer.phones[0]`. */
  path?: string;
}

/** Per-scan knobs a recognizer may read. */
export interface ScanContext {
  /** Regions tried for phone numbers written without a country code (ISO 3166 alpha-2). */
  phoneRegions: readonly string[];
  /** Extra context text that is not part of the scanned string (a Markdown column header, a JSON key). */
  extraContext: string;
}

export interface Recognizer {
  readonly name: string;
  readonly entity: EntityType;
  /** Every regular expression the recognizer runs on untrusted text (checked for backtracking in a test). */
  readonly patterns: readonly RegExp[];
  /** `text` is width-normalised (see normalize.ts); offsets are valid for the original text. */
  find(text: string, ctx: ScanContext, out: Finding[]): void;
}
