import type { EntityType } from '../types.js';

export type OperatorType = 'replace' | 'mask' | 'redact' | 'pseudonymize';

export interface OperatorSpec {
  type: OperatorType;
  /** replace: the replacement text; `{type}` stands for the entity type. Default `<{type}>`. */
  value?: string;
  /** mask: the masking character (default `*`), how many original characters stay visible, and at which end. */
  masking_char?: string;
  chars_to_keep?: number;
  from_end?: boolean;
  /** pseudonymize: environment variable (or `<NAME>_FILE`) holding the scene's HMAC secret, at least 16 bytes. */
  secret_env?: string;
}

export interface WhitelistContext {
  /** JSON field path: `$.merchant.phone`, `*` matches one key, `[*]` any array index. */
  json_path?: string;
  /** Markdown table column header (compared trimmed and case-insensitively). */
  column?: string;
  /** A key name: a JSON key at any depth, or a `Key: value` / `Key = value` label in text. */
  key?: string;
  /** Only these entity types are allowed in that context; all when absent. */
  entities?: EntityType[];
}

export interface WhitelistPattern {
  /** A regular expression that must match the whole finding. */
  pattern: string;
  entities?: EntityType[];
}

export interface Policy {
  version: 1;
  scene: string;
  description?: string;
  entities: EntityType[];
  score_threshold: number;
  phone_regions: string[];
  default_operator: OperatorSpec;
  operators: Partial<Record<EntityType, OperatorSpec>>;
  whitelist_contexts: WhitelistContext[];
  whitelist_patterns: WhitelistPattern[];
}
