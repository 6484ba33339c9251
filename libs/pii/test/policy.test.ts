import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_POLICY_DIR, createEngine, loadPolicy, loadPolicyDir, parsePolicy, policyForScene, PolicyError } from '../src/index.js';

function write(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dph-pii-policy-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function rejects(doc: unknown, key: string, fragment?: string) {
  assert.throws(
    () => parsePolicy(doc, 'p.yaml'),
    (e: unknown) => e instanceof PolicyError && e.key === key && e.message.includes(key) && (!fragment || e.message.includes(fragment)) && e.code === 'validation_failed',
  );
}

test('unknown keys are errors that name the key, at any depth', () => {
  rejects({ version: 1, scene: 's', entitys: [] }, 'entitys', 'unknown key');
  rejects({ version: 1, scene: 's', operators: { CREDIT_CARD: { type: 'mask', keep: 4 } } }, 'operators.CREDIT_CARD.keep', 'unknown key');
  rejects({ version: 1, scene: 's', operators: { PASSPORT: { type: 'mask' } } }, 'operators.PASSPORT', 'unknown key');
  rejects({ version: 1, scene: 's', whitelist_contexts: [{ column: 'a', colour: 'b' }] }, 'whitelist_contexts.0.colour');
});

test('wrong values name the key without echoing the value', () => {
  rejects({ version: 1, scene: 's', entities: ['CREDIT_CARD', 'SECRET_THING'] }, 'entities.1', 'must be one of');
  rejects({ version: 1, scene: 's', score_threshold: 2 }, 'score_threshold');
  rejects({ version: 1, scene: 's', operators: { EMAIL_ADDRESS: { type: 'pseudonymize' } } }, 'operators.EMAIL_ADDRESS.secret_env', 'missing');
  rejects({ version: 2, scene: 's' }, 'version');
  rejects({ version: 1 }, 'scene', 'missing');
  rejects({ version: 1, scene: 's', whitelist_patterns: [{ pattern: '(' }] }, 'whitelist_patterns.0.pattern', 'regular expression');
  rejects({ version: 1, scene: 's', whitelist_contexts: [{ json_path: '$.a[' }] }, 'whitelist_contexts.0.json_path', 'not a valid path');
  assert.throws(() => parsePolicy({ version: 1, scene: 's', phone_regions: ['us'] }), (e: unknown) => e instanceof PolicyError && !e.message.includes("'us'"));
});

test('YAML and JSON files load; syntax errors and missing files are PolicyErrors', () => {
  const y = loadPolicy(write('a.yaml', 'version: 1\nscene: a\nentities: [EMAIL_ADDRESS]\n'));
  assert.deepEqual(y.entities, ['EMAIL_ADDRESS']);
  assert.equal(y.score_threshold, 0.5);
  const j = loadPolicy(write('b.json', JSON.stringify({ version: 1, scene: 'b', score_threshold: 0.7 })));
  assert.equal(j.score_threshold, 0.7);
  assert.throws(() => loadPolicy(write('c.yaml', 'version: [1\n')), (e: unknown) => e instanceof PolicyError && /not valid YAML/.test(e.message));
  assert.throws(() => loadPolicy('/nonexistent/p.yaml'), PolicyError);
  assert.throws(() => loadPolicy(write('d.yaml', 'version: 1\nscene: d\nbogus: 1\n')), (e: unknown) => e instanceof PolicyError && e.message.includes('d.yaml') && e.message.includes('bogus'));
});

test('policies are frozen', () => {
  const p = parsePolicy({ version: 1, scene: 's' });
  assert.throws(() => (p.entities as string[]).push('X'));
});

test('bundled policies load; policyForScene falls back to default; directories reject duplicate scenes', () => {
  const set = loadPolicyDir(BUNDLED_POLICY_DIR);
  assert.ok(set.has('default') && set.has('credit'));
  assert.equal(policyForScene('credit', BUNDLED_POLICY_DIR).scene, 'credit');
  assert.equal(policyForScene('no-such-scene', BUNDLED_POLICY_DIR).scene, 'default');
  const dir = mkdtempSync(join(tmpdir(), 'dph-pii-dir-'));
  writeFileSync(join(dir, 'one.yaml'), 'version: 1\nscene: same\n');
  writeFileSync(join(dir, 'two.json'), '{"version":1,"scene":"same"}');
  assert.throws(() => loadPolicyDir(dir), (e: unknown) => e instanceof PolicyError && e.key === 'scene');
});

test('pseudonymisation needs its secret at engine creation, named but never shown', () => {
  const credit = loadPolicy(join(BUNDLED_POLICY_DIR, 'credit.yaml'));
  assert.throws(() => createEngine(credit, { env: {} }), (e: unknown) => e instanceof PolicyError && e.message.includes('DPH_PII_SECRET_CREDIT'));
  assert.throws(() => createEngine(credit, { env: { DPH_PII_SECRET_CREDIT: 'short' } }), (e: unknown) => e instanceof PolicyError && !e.message.includes('short'));
  const file = write('secret', 'a-secret-of-more-than-16-bytes\n');
  assert.ok(createEngine(credit, { env: { DPH_PII_SECRET_CREDIT_FILE: file } }));
});
