import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DphError } from '@dph/errors';
import { doclingAdapter, mineruAdapter, parseDocument, parseEngineRoutes } from '../src/index.js';
import * as fx from '../testing/fixtures.js';
import { deadUrl, startDocling, startMineru } from './engine-servers.js';

const scan = fx.pdf([null]);
const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DphError);
    return e.code;
  }
  assert.fail('expected a failure');
};

test('routes: parses the config format and rejects unknown types or engines', () => {
  assert.deepEqual(parseEngineRoutes('pdf-scan:docling, pdf-native:builtin,docx:mineru', ['docling', 'mineru']), {
    'pdf-scan': 'docling',
    'pdf-native': 'builtin',
    docx: 'mineru',
  });
  assert.throws(() => parseEngineRoutes('pdf:docling', ['docling']), /DPH_ENGINE_ROUTES: unknown document type/);
  assert.throws(() => parseEngineRoutes('docx:tika', ['docling']), /unknown engine "tika"/);
  assert.deepEqual(parseEngineRoutes('', []), {});
});

test('docling: submit, poll until success, fetch the single-use result once', async () => {
  const srv = await startDocling({ pendingPolls: 2 });
  try {
    const engines = { docling: doclingAdapter({ baseUrl: srv.url, pollWaitSeconds: 0 }) };
    const d = await parseDocument({ bytes: scan, filename: 'Jane Roe passport.pdf' }, { routes: { 'pdf-scan': 'docling' }, engines });
    assert.equal(d.documentType, 'pdf-scan');
    assert.equal(d.engine, 'docling');
    assert.equal(d.degraded, false);
    assert.deepEqual(d.blocks.map((b) => b.kind), ['heading', 'paragraph']);
    const paths = srv.requests.map((r) => `${r.method} ${r.path.replace(/\?.*/, '')}`);
    assert.deepEqual(paths, ['POST /v1/convert/file/async', 'GET /v1/status/poll/task-1', 'GET /v1/status/poll/task-1', 'GET /v1/status/poll/task-1', 'GET /v1/result/task-1']);
    const submit = srv.requests[0]!;
    assert.match(submit.contentType, /^multipart\/form-data/);
    assert.match(submit.body, /name="to_formats"\r\n\r\nmd/);
    assert.match(submit.body, /name="force_ocr"\r\n\r\ntrue/);
    // the engine never sees the submitted file name (it may carry personal data)
    assert.doesNotMatch(submit.body, /Jane Roe/);
    assert.match(submit.body, /filename="document.pdf"/);
  } finally {
    await srv.close();
  }
});

test('docling: task failure → parse_failed; partial success → degraded with a warning', async () => {
  const bad = await startDocling({ failTask: true });
  const partial = await startDocling({ status: 'partial_success' });
  try {
    assert.equal(await codeOf(parseDocument({ bytes: scan }, { routes: { 'pdf-scan': 'docling' }, engines: { docling: doclingAdapter({ baseUrl: bad.url, pollWaitSeconds: 0 }) } })), 'parse_failed');
    const d = await parseDocument({ bytes: scan }, { routes: { 'pdf-scan': 'docling' }, engines: { docling: doclingAdapter({ baseUrl: partial.url, pollWaitSeconds: 0 }) } });
    assert.equal(d.degraded, true);
    assert.deepEqual(d.warnings, ['engine_partial_success:docling']);
  } finally {
    await bad.close();
    await partial.close();
  }
});

test('docling: an engine that finds no text in a scan → empty_content (blank scan)', async () => {
  const srv = await startDocling({ markdown: '  \n' });
  try {
    assert.equal(await codeOf(parseDocument({ bytes: scan }, { routes: { 'pdf-scan': 'docling' }, engines: { docling: doclingAdapter({ baseUrl: srv.url, pollWaitSeconds: 0 }) } })), 'empty_content');
  } finally {
    await srv.close();
  }
});

test('engine down: built-in fallback marked degraded; scan without fallback → engine_unavailable (retryable)', async () => {
  const engines = { docling: doclingAdapter({ baseUrl: await deadUrl(), requestTimeoutMs: 2000 }) };
  const routes = parseEngineRoutes('pdf-scan:docling,pdf-native:docling,docx:docling', ['docling']);
  const native = await parseDocument({ bytes: fx.pdf([['Native text']]) }, { routes, engines });
  assert.equal(native.engine, 'builtin');
  assert.equal(native.degraded, true);
  assert.deepEqual(native.warnings, ['engine_unavailable:docling']);
  assert.equal(native.blocks[0]!.text, 'Native text');
  const docx = await parseDocument({ bytes: await fx.docx() }, { routes, engines });
  assert.equal(docx.degraded, true);
  try {
    await parseDocument({ bytes: scan }, { routes, engines });
    assert.fail('expected engine_unavailable');
  } catch (e) {
    assert.ok(e instanceof DphError);
    assert.equal(e.code, 'engine_unavailable');
    assert.equal(e.retryable, true);
  }
});

test('mineru: /file_parse multipart with ocr for scans; result keyed by file stem', async () => {
  const srv = await startMineru();
  try {
    const d = await parseDocument({ bytes: scan }, { routes: { 'pdf-scan': 'mineru' }, engines: { mineru: mineruAdapter({ baseUrl: srv.url, langList: ['en'] }) } });
    assert.equal(d.engine, 'mineru');
    assert.deepEqual(d.blocks.map((b) => b.kind), ['heading', 'table']);
    const body = srv.requests[0]!.body;
    assert.match(body, /name="parse_method"\r\n\r\nocr/);
    assert.match(body, /name="return_md"\r\n\r\ntrue/);
    assert.match(body, /name="lang_list"\r\n\r\nen/);
  } finally {
    await srv.close();
  }
});
