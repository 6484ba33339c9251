import { ENTITY_TYPES } from '../types.js';

const entity = { type: 'string', enum: [...ENTITY_TYPES] };
const entityList = { type: 'array', items: entity, uniqueItems: true };

const operator = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['replace', 'mask', 'redact', 'pseudonymize'] },
    value: { type: 'string', maxLength: 200 },
    masking_char: { type: 'string', minLength: 1, maxLength: 1 },
    chars_to_keep: { type: 'integer', minimum: 0, maximum: 64 },
    from_end: { type: 'boolean' },
    secret_env: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
  },
  if: { properties: { type: { const: 'pseudonymize' } } },
  then: { required: ['type', 'secret_env'] },
};

/** JSON Schema (draft 2020-12 subset understood by ajv) of a scene policy file. Unknown keys are errors. */
export const POLICY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'scene'],
  properties: {
    version: { const: 1 },
    scene: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
    description: { type: 'string' },
    entities: entityList,
    score_threshold: { type: 'number', minimum: 0, maximum: 1 },
    phone_regions: { type: 'array', items: { type: 'string', pattern: '^[A-Z]{2}$' }, minItems: 1 },
    default_operator: operator,
    operators: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(ENTITY_TYPES.map((t) => [t, operator])),
    },
    whitelist_contexts: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          json_path: { type: 'string', pattern: '^\\$' },
          column: { type: 'string', minLength: 1 },
          key: { type: 'string', minLength: 1 },
          entities: entityList,
        },
        anyOf: [{ required: ['json_path'] }, { required: ['column'] }, { required: ['key'] }],
      },
    },
    whitelist_patterns: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['pattern'],
        properties: { pattern: { type: 'string', minLength: 1, maxLength: 500 }, entities: entityList },
      },
    },
  },
} as const;
