import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalAuditText, auditRowHash, GENESIS_HASH } from './canonical.js';

const row = {
  id: '1',
  event_id: '2f1c8a52-0b8e-4c55-9a0e-1f1d4c2b8e01',
  job_id: null,
  tenant_scene: 'scene-a',
  event_type: 'submitted',
  actor: 'alice',
  payload: '{"a": "é"}',
  trace_id: null,
  created_at: '2026-12-03T22:00:00.123456Z',
  recorded_at: '2026-12-03T22:00:00.200000Z',
  prev_hash: GENESIS_HASH,
};

test('fields are length-prefixed in octets, NULL is a dash', () => {
  const lines = canonicalAuditText(row).split('\n');
  assert.equal(lines[0], 'dph-audit-v1');
  assert.equal(lines[3], '-');
  assert.equal(lines[7], '11:{"a": "é"}');
});

test('a value cannot forge a field boundary', () => {
  const a = { ...row, actor: 'x\n5:scene', tenant_scene: null };
  const b = { ...row, actor: 'x', tenant_scene: '5:scene' };
  assert.notEqual(auditRowHash(a), auditRowHash(b));
});
