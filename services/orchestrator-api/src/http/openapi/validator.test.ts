import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODES, AUDIT_EVENT_TYPES, JOB_STATUSES } from '@dph/contracts';
import { loadOpenApi } from './load-spec.js';
import { OpenApiValidator } from './validator.js';

const doc = loadOpenApi();
const v = new OpenApiValidator(doc);
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test('the document is OpenAPI 3.1 and every schema compiles under draft 2020-12', () => {
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(v.operations.size >= 14);
});

test('problem error codes, audit event types and job statuses are those of the contracts', () => {
  const s = doc.components.schemas as Json;
  const codes = new Set<string>(Object.values(ERROR_CODES));
  for (const c of s.ErrorCode.enum) assert.ok(codes.has(c), `${c} is not in ERROR_CODES`);
  for (const apiCode of ['unauthorized', 'scene_not_granted', 'duplicate_idempotency_key', 'already_terminal', 'payload_too_large', 'rate_limited']) {
    assert.ok(s.ErrorCode.enum.includes(apiCode));
  }
  assert.deepEqual(s.AuditEventType.enum, [...AUDIT_EVENT_TYPES]);
  assert.deepEqual(s.JobStatus.enum, [...JOB_STATUSES]);
});

test('submission bodies: valid accepted, unknown fields, bad priority and direct_upload-in-JSON refused', () => {
  const op = v.operation('submitJob');
  const ok = { business_ref: 'loan-1', source: { type: 'inner_oss_ref', url_or_ref: 's3://raw/a.pdf' }, priority: 5 };
  assert.deepEqual(v.validateBody(op, 'application/json', ok), []);
  assert.notDeepEqual(v.validateBody(op, 'application/json', { ...ok, extra: 1 }), []);
  assert.notDeepEqual(v.validateBody(op, 'application/json', { ...ok, priority: 10 }), []);
  assert.notDeepEqual(v.validateBody(op, 'application/json', { ...ok, source: { type: 'direct_upload', url_or_ref: 'x' } }), []);
  assert.notDeepEqual(v.validateBody(op, 'text/plain', ok), []);
});

test('parameters are coerced for query/path and required headers are enforced', () => {
  const get = v.operation('getJob');
  const parts = { params: { jobId: '0190b6b2-1c2d-7c3e-8f40-1234567890ab' }, query: { wait: '5' }, headers: {} };
  assert.deepEqual(v.validateParameters(get, parts), []);
  assert.equal(parts.query.wait, 5);
  assert.notDeepEqual(v.validateParameters(get, { params: { jobId: 'nope' }, query: {}, headers: {} }), []);
  assert.notDeepEqual(v.validateParameters(get, { params: { jobId: parts.params.jobId }, query: { wait: '31' }, headers: {} }), []);
  const submit = v.operation('submitJob');
  const issues = v.validateParameters(submit, { params: {}, query: {}, headers: {} });
  assert.deepEqual(issues, [{ location: 'header.X-Tenant-Scene', message: 'is required' }]);
  assert.notDeepEqual(v.validateParameters(submit, { params: {}, query: {}, headers: { 'x-tenant-scene': 'Bad Scene' } }), []);
});

test('405 support: allowed methods per path', () => {
  assert.deepEqual(v.allowedMethods('/v1/jobs'), ['GET', 'POST', 'HEAD']);
  assert.deepEqual(v.allowedMethods('/v1/jobs/{jobId}/cancel'), ['POST']);
});

test('response validation catches undeclared statuses and shape drift', () => {
  assert.deepEqual(v.validateResponse('cancelJob', 200, 'application/json', { cancelled: true, jobId: '0190b6b2-1c2d-7c3e-8f40-1234567890ab', status: 'cancelled' }), []);
  assert.notDeepEqual(v.validateResponse('cancelJob', 201, 'application/json', {}), []);
  assert.notDeepEqual(v.validateResponse('cancelJob', 409, 'application/problem+json', { type: 'x', title: 't', status: 409, error: 'made_up' }), []);
});
