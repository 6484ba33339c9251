import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { OperatorSpec, Policy } from './policy/types.js';
import { PolicyError } from './policy/policy-error.js';
import type { EntityType } from './types.js';

export type Operator = (value: string, type: EntityType) => string;

const NUMERIC: ReadonlySet<EntityType> = new Set(['CREDIT_CARD', 'US_SSN', 'PHONE_NUMBER', 'CN_MOBILE', 'CN_BANK_CARD']);
const SEPARATORS = /[\s\-.()+]/g;

/** Canonical form before keyed hashing, so `138 0013 8000` and `13800138000` get the same pseudonym. */
function canonical(value: string, type: EntityType): string {
  if (NUMERIC.has(type)) return value.replace(SEPARATORS, '');
  return value.toLowerCase();
}

function readSecret(name: string, env: NodeJS.ProcessEnv, key: string): Buffer {
  let v = env[name];
  const file = env[`${name}_FILE`];
  if (v === undefined && file) {
    try {
      v = readFileSync(file, 'utf8').trim();
    } catch {
      throw new PolicyError(key, `${key}: cannot read ${name}_FILE`);
    }
  }
  if (!v) throw new PolicyError(key, `${key}: environment variable ${name} (or ${name}_FILE) is not set`);
  const secret = Buffer.from(v, 'utf8');
  if (secret.length < 16) throw new PolicyError(key, `${key}: ${name} must hold at least 16 bytes`);
  return secret;
}

export function buildOperator(spec: OperatorSpec, key: string, env: NodeJS.ProcessEnv): Operator {
  switch (spec.type) {
    case 'replace': {
      const template = spec.value ?? '<{type}>';
      return (_v, type) => template.replaceAll('{type}', type);
    }
    case 'redact':
      return () => '';
    case 'mask': {
      const ch = spec.masking_char ?? '*';
      const keep = spec.chars_to_keep ?? 0;
      const fromEnd = spec.from_end ?? true;
      return (v) => {
        const k = Math.min(keep, Math.floor(v.length / 2)); // never reveal more than half of a value
        const masked = ch.repeat(v.length - k);
        return fromEnd ? masked + v.slice(v.length - k) : v.slice(0, k) + masked;
      };
    }
    case 'pseudonymize': {
      // Keyed (HMAC-SHA256 with the scene's secret), never a bare hash: without the key a pseudonym cannot be
      // confirmed by hashing guessed values, yet the same value maps to the same pseudonym within a scene.
      const secret = readSecret(spec.secret_env!, env, `${key}.secret_env`);
      return (v, type) => `<${type}_${createHmac('sha256', secret).update(`${type}\0${canonical(v, type)}`).digest('hex').slice(0, 12)}>`;
    }
  }
}

export function buildOperators(policy: Policy, env: NodeJS.ProcessEnv): (type: EntityType) => Operator {
  const fallback = buildOperator(policy.default_operator, 'default_operator', env);
  const map = new Map<EntityType, Operator>();
  for (const [t, spec] of Object.entries(policy.operators)) if (spec) map.set(t as EntityType, buildOperator(spec, `operators.${t}`, env));
  return (type) => map.get(type) ?? fallback;
}
