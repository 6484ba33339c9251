import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJob, deleteZone, enqueue, objectsOf, openStack, outboxEvents, publishRouted, runWorker, settings, waitForStatus, zoneName, type Stack, type TestJob } from './harness.js';
import type { RunningWorker } from '../src/worker.js';
import * as fx from '@dph/parsing/testing';

let stack: Stack;
const workers: RunningWorker[] = [];
const zones: string[] = [];
const registry = new Registry();
let main: string;
const servers: Server[] = [];
const deliveries = new Map<string, number>();

async function worker(over: Parameters<typeof settings>[2] = {}, reg?: Registry): Promise<string> {
  const zone = zoneName('fail');
  zones.push(zone);
  workers.push(await runWorker(stack, settings(stack, zone, over), (stage, jobId) => {
    if (stage === 'parsing') deliveries.set(jobId, (deliveries.get(jobId) ?? 0) + 1);
  }, reg));
  return zone;
}

before(async () => {
  stack = await openStack();
  main = await worker({}, registry);
});
after(async () => {
  for (const w of workers) await w.stop();
  for (const z of zones) await deleteZone(stack, z);
  for (const s of servers) s.close();
  await stack?.close();
});

async function expectFailure(job: TestJob, zone: string, code: string, timeoutMs?: number) {
  await enqueue(stack, zone, job.task);
  const row = await waitForStatus(stack, job.jobId, ['failed', 'succeeded', 'cancelled'], timeoutMs);
  assert.equal(row.status, 'failed');
  assert.equal(row.error_code, code);
  assert.deepEqual(await objectsOf(stack, job), [], 'no result objects for a failed job');
  const events = await outboxEvents(stack, job.jobId);
  const failed = events.find((e) => e.type === 'dph.job.failed');
  assert.equal(failed?.data.errorCode, code);
  assert.equal(events.filter((e) => e.type === 'dph.audit.failed').length, 1);
  return row;
}

test('empty_content: a blank document', async () => {
  await expectFailure(await createJob(stack, '  \n \t\n', { declaredType: 'text/plain' }), main, 'empty_content');
});

test('unsupported_type: an image', async () => {
  await expectFailure(await createJob(stack, Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'), { filename: 'x.png' }), main, 'unsupported_type');
});

test('source_fetch_failed: the raw object is missing (permanent, no retries)', async () => {
  const job = await createJob(stack, null);
  await expectFailure(job, main, 'source_fetch_failed');
  assert.equal(deliveries.get(job.jobId), 1);
});

test('parse_failed: a truncated DOCX, and a zip bomb', async () => {
  const docx = await fx.docx();
  await expectFailure(await createJob(stack, docx.subarray(0, docx.length >> 1), { filename: 'a.docx' }), main, 'parse_failed');
  await expectFailure(await createJob(stack, await fx.zipBomb(8 * 1024 * 1024), { filename: 'b.docx' }), main, 'parse_failed');
});

test('needs_ocr: a scanned PDF with no engine configured', async () => {
  await expectFailure(await createJob(stack, fx.pdf([null, null]), { filename: 's.pdf' }), main, 'needs_ocr');
});

test('source_too_large: above the worker limit', async () => {
  const zone = await worker({ maxRawBytes: 1024 });
  await expectFailure(await createJob(stack, 'x'.repeat(5000), { declaredType: 'text/plain' }), zone, 'source_too_large');
});

test('object_not_kms_encrypted: a raw object stored with SSE-S3 instead of SSE-KMS is refused', async () => {
  const job = await createJob(stack, null, { filename: 'a.md' });
  await stack.objects.client.send(new PutObjectCommand({ Bucket: job.task.rawBucket, Key: job.task.rawKey, Body: fx.md, ServerSideEncryption: 'AES256' }));
  await expectFailure(job, main, 'object_not_kms_encrypted');
  assert.equal(deliveries.get(job.jobId), 1, 'permanent: not retried');
});

test('metrics: job_failures_total counts by error code', async () => {
  const text = await registry.metrics();
  for (const code of ['empty_content', 'unsupported_type', 'source_fetch_failed', 'parse_failed', 'needs_ocr', 'object_not_kms_encrypted']) {
    assert.match(text, new RegExp(`job_failures_total\\{error_code="${code}"\\} [1-9]`), code);
  }
  assert.match(text, /queue_depth\{queue="dph\.parse\.fail-[0-9a-f]+\.high"\} \d+/);
});

async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  await new Promise<void>((r) => s.close(() => r()));
  return url;
}

test('engine down: scan retried up to the delivery limit, then engine_unavailable; native PDF falls back, degraded', async () => {
  const zone = await worker({ engineRoutes: { 'pdf-scan': 'docling', 'pdf-native': 'docling' }, doclingUrl: await deadUrl(), deliveryLimit: 3 });
  const scan = await createJob(stack, fx.pdf([null]), { filename: 's.pdf' });
  await expectFailure(scan, zone, 'engine_unavailable');
  assert.equal(deliveries.get(scan.jobId), 3, 'retried until the delivery limit, not forever');
  const native = await createJob(stack, fx.pdf([[`Text for ${fx.PII.email}`]]), { filename: 'n.pdf' });
  await enqueue(stack, zone, native.task);
  const row = await waitForStatus(stack, native.jobId, ['succeeded', 'failed']);
  assert.equal(row.status, 'succeeded');
  assert.equal(row.degraded, true);
  assert.deepEqual(row.warnings, ['engine_unavailable:docling']);
  assert.equal(row.parse_engine, 'builtin');
  const ev = (await outboxEvents(stack, native.jobId)).find((e) => e.type === 'dph.job.succeeded');
  assert.equal(ev?.data.degraded, true);
});

/** docling-serve's async API (submit, poll, single-use result); answers 503 to the first `failFirst` submits. */
async function flakyDocling(failFirst: number): Promise<string> {
  let submits = 0;
  const done = new Set<string>();
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const json = (code: number, v: unknown) => res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(v));
      if (req.url === '/v1/convert/file/async') {
        if (++submits <= failFirst) return json(503, { detail: 'overloaded' });
        return json(200, { task_id: `t${submits}`, task_status: 'pending' });
      }
      const poll = /^\/v1\/status\/poll\/(\w+)/.exec(req.url ?? '');
      if (poll) return json(200, { task_id: poll[1], task_status: 'success' });
      const result = /^\/v1\/result\/(\w+)/.exec(req.url ?? '');
      if (result && !done.has(result[1]!)) {
        done.add(result[1]!);
        return json(200, { status: 'success', document: { md_content: `# OCR\n\nScanned text, contact ${fx.PII.email}\n` } });
      }
      json(404, { detail: 'not found' });
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

test('transient engine failure: requeued, the next delivery succeeds through the engine', async () => {
  const zone = await worker({ engineRoutes: { 'pdf-scan': 'docling' }, doclingUrl: await flakyDocling(1), deliveryLimit: 3 });
  const job = await createJob(stack, fx.pdf([null]), { filename: 's.pdf' });
  await enqueue(stack, zone, job.task);
  const row = await waitForStatus(stack, job.jobId, ['succeeded', 'failed']);
  assert.equal(row.status, 'succeeded');
  assert.equal(row.document_type, 'pdf-scan');
  assert.equal(row.parse_engine, 'docling');
  assert.equal(deliveries.get(job.jobId), 2);
  const events = await outboxEvents(stack, job.jobId);
  assert.equal(events.filter((e) => e.type === 'dph.job.parsing').length, 1, 'the retry did not re-announce parsing');
  assert.equal(events.filter((e) => e.type === 'dph.job.succeeded').length, 1);
});

test('no_zone_for_classification: a task no zone binds reaches the unrouted queue and its job fails', async () => {
  await worker({ consumeUnrouted: true, classifications: ['restricted'] });
  const job = await createJob(stack, fx.md, { filename: 'r.md' });
  // a routing key that no zone queue binds: dph.jobs' alternate exchange sends it to dph.jobs.unrouted
  await publishRouted(stack, `parse.nobody-${job.jobId.slice(0, 8)}.normal`, job.task);
  const row = await waitForStatus(stack, job.jobId, ['failed', 'succeeded']);
  assert.equal(row.status, 'failed');
  assert.equal(row.error_code, 'no_zone_for_classification');
  const events = await outboxEvents(stack, job.jobId);
  assert.equal(events.find((e) => e.type === 'dph.job.failed')?.data.errorCode, 'no_zone_for_classification');
});

test('a scene policy that cannot be built: start-up refuses in strict mode; otherwise its jobs fail internal_error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dph-policies-'));
  writeFileSync(join(dir, 'default.yaml'), 'version: 1\nscene: default\n');
  writeFileSync(join(dir, 'wtest.yaml'), 'version: 1\nscene: wtest\noperators:\n  EMAIL_ADDRESS: { type: pseudonymize, secret_env: DPH_PII_SECRET_WTEST_UNSET }\n');
  delete process.env.DPH_PII_SECRET_WTEST_UNSET;
  const zone = zoneName('pol');
  zones.push(zone);
  await assert.rejects(runWorker(stack, settings(stack, zone, { piiPolicyDir: dir, strictPolicies: true })), (e: Error) => {
    assert.match(e.message, /^DPH_PII_POLICY_DIR: scene wtest: .*DPH_PII_SECRET_WTEST_UNSET/);
    return true;
  });
  const lenient = await worker({ piiPolicyDir: dir });
  const job = await createJob(stack, fx.md, { filename: 'a.md' });
  const row = await expectFailure(job, lenient, 'internal_error');
  assert.doesNotMatch(String(row.error_msg), /DPH_PII_SECRET/);
});
