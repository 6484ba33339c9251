import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ENTITY_TYPES } from '../types.js';
import { parsePath } from '../json-path.js';
import { PolicyError } from './policy-error.js';
import { POLICY_SCHEMA } from './schema.js';
import type { Policy } from './types.js';

const ajv = new Ajv({ allErrors: false, strict: true, strictRequired: false, allowUnionTypes: true });
const validate = ajv.compile(POLICY_SCHEMA);

/** The policies shipped with the library (libs/pii/policies). */
export const BUNDLED_POLICY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'policies');

const DEFAULTS: Omit<Policy, 'version' | 'scene'> = {
  entities: [...ENTITY_TYPES],
  score_threshold: 0.5,
  phone_regions: ['US', 'CN'],
  default_operator: { type: 'replace' },
  operators: {},
  whitelist_contexts: [],
  whitelist_patterns: [],
};

function keyOf(err: ErrorObject): string {
  const path = err.instancePath.split('/').filter(Boolean).join('.');
  if (err.keyword === 'additionalProperties') {
    const extra = (err.params as { additionalProperty: string }).additionalProperty;
    return path ? `${path}.${extra}` : extra;
  }
  if (err.keyword === 'required') {
    const missing = (err.params as { missingProperty: string }).missingProperty;
    return path ? `${path}.${missing}` : missing;
  }
  return path || '(root)';
}

function describe(err: ErrorObject): string {
  if (err.keyword === 'additionalProperties') return 'unknown key';
  if (err.keyword === 'required') return 'required key is missing';
  if (err.keyword === 'enum') return `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return err.message ?? 'invalid';
}

/** Validates an already parsed policy document and fills in defaults. `source` names it in errors. */
export function parsePolicy(doc: unknown, source = 'policy'): Policy {
  if (!validate(doc)) {
    const err = validate.errors![0]!;
    const key = keyOf(err);
    throw new PolicyError(key, `${source}: ${key}: ${describe(err)}`);
  }
  const p = doc as unknown as Partial<Policy> & Pick<Policy, 'version' | 'scene'>;
  const policy: Policy = { ...DEFAULTS, ...p } as Policy;
  policy.whitelist_patterns.forEach((w, i) => {
    try {
      new RegExp(w.pattern);
    } catch {
      throw new PolicyError(`whitelist_patterns.${i}.pattern`, `${source}: whitelist_patterns.${i}.pattern: not a valid regular expression`);
    }
  });
  policy.whitelist_contexts.forEach((c, i) => {
    if (c.json_path !== undefined && parsePath(c.json_path) === null)
      throw new PolicyError(`whitelist_contexts.${i}.json_path`, `${source}: whitelist_contexts.${i}.json_path: not a valid path ($.a.b[0], * and [*] wildcards)`);
  });
  return deepFreeze(policy);
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Reads a YAML (.yaml/.yml) or JSON (.json) policy file. */
export function loadPolicy(file: string): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new PolicyError('(file)', `${file}: cannot read policy file`);
  }
  let doc: unknown;
  try {
    doc = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch {
    throw new PolicyError('(syntax)', `${file}: not valid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}`);
  }
  return parsePolicy(doc, file);
}

/** Loads every policy file of a directory, keyed by scene. Two files for one scene are an error. */
export function loadPolicyDir(dir: string): Map<string, Policy> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.(ya?ml|json)$/i.test(n)).sort();
  } catch {
    throw new PolicyError('(dir)', `${dir}: cannot read policy directory`);
  }
  const out = new Map<string, Policy>();
  for (const n of names) {
    const file = join(dir, n);
    const p = loadPolicy(file);
    if (out.has(p.scene)) throw new PolicyError('scene', `${file}: scene "${p.scene}" is defined twice in ${basename(dir)}`);
    out.set(p.scene, p);
  }
  return out;
}

const dirCache = new Map<string, Map<string, Policy>>();

/**
 * The policy for a scene from `dir` (default: DPH_PII_POLICY_DIR, else the bundled policies), falling back to the
 * `default` scene. Directories are read once per process; the worker calls this per job.
 */
export function policyForScene(scene: string, dir = process.env.DPH_PII_POLICY_DIR || BUNDLED_POLICY_DIR): Policy {
  let set = dirCache.get(dir);
  if (!set) {
    set = loadPolicyDir(dir);
    dirCache.set(dir, set);
  }
  const p = set.get(scene) ?? set.get('default');
  if (!p) throw new PolicyError('scene', `no policy for scene "${scene}" and no default policy in ${dir}`);
  return p;
}

/** The built-in policy used when none is given: every entity, threshold 0.5, replace with `<TYPE>`. */
export function defaultPolicy(): Policy {
  return parsePolicy({ version: 1, scene: 'default' }, 'built-in default');
}
