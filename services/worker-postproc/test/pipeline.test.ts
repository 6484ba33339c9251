import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createJob, enqueue, objectsOf, openStack, outboxEvents, readObject, runWorker, settings, waitForStatus, zoneName, deleteZone, type Stack } from './harness.js';
import { Registry } from 'prom-client';
import type { RunningWorker } from '../src/worker.js';
import * as fx from '@dph/parsing/testing';

let stack: Stack;
let worker: RunningWorker;
const zone = zoneName('pipe');
const registry = new Registry();

before(async () => {
  stack = await openStack();
  worker = await runWorker(stack, settings(stack, zone), undefined, registry);
});
after(async () => {
  await worker?.stop();
  await deleteZone(stack, zone);
  await stack?.close();
});

const PII_VALUES = { email: fx.PII.email, phone: fx.PII.phone, ssn: fx.PII.ssn, card: fx.PII.card };

async function runOk(content: Uint8Array | string, o: { filename?: string; declaredType?: string }) {
  const job = await createJob(stack, content, o);
  await enqueue(stack, zone, job.task);
  const row = await waitForStatus(stack, job.jobId, ['succeeded', 'failed']);
  assert.equal(row.status, 'succeeded', `job failed with ${String(row.error_code)}`);
  const md = await readObject(stack, job.keys.md);
  const json = JSON.parse(await readObject(stack, job.keys.json)) as { documentType: string; blocks: { kind: string; text: string; rows?: string[][] }[] };
  const chunks = JSON.parse(await readObject(stack, job.keys.chunks)) as { jobId: string; chunks: { id: string; text: string; startOffset: number; endOffset: number; headingPath: string[] }[] };
  return { job, row, md, json, chunks, events: await outboxEvents(stack, job.jobId) };
}

function assertNoPii(...texts: string[]) {
  for (const t of texts) for (const [k, v] of Object.entries(PII_VALUES)) assert.ok(!t.includes(v), `the synthetic ${k} survived redaction`);
}

test('markdown: redacted result.md/json/chunks under the seed layout, SSE-KMS, transitions and events', async () => {
  const r = await runOk(fx.md, { filename: 'report.md' });
  assert.equal(r.row.document_type, 'md');
  assert.equal(r.row.parse_engine, 'builtin');
  assert.equal(r.row.progress, 100);
  assert.deepEqual(r.row.result_keys, r.job.keys);
  assert.match(r.job.keys.md, /^parsed\/wtest\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f-]{36}\/result\.md$/);
  assertNoPii(r.md, JSON.stringify(r.json), JSON.stringify(r.chunks));
  assert.match(r.md, /<EMAIL_ADDRESS>/);
  assert.match(r.md, /^# Quarterly report/m);
  const counts = r.row.pii_counts as Record<string, number>;
  assert.ok((counts.EMAIL_ADDRESS ?? 0) >= 2 && (counts.PHONE_NUMBER ?? 0) >= 1, JSON.stringify(counts));
  // table survives as a table block, with the redacted cell
  const table = r.json.blocks.find((b) => b.kind === 'table')!;
  assert.equal(table.rows![1]![2], '<EMAIL_ADDRESS>');
  // chunk ids are deterministic and offsets point into the stored (redacted) result.md
  assert.equal(r.chunks.chunks[0]!.id, `${r.job.jobId}:0`);
  for (const c of r.chunks.chunks) assert.ok(r.md.slice(c.startOffset, c.endOffset).length > 0 && c.endOffset <= r.md.length);
  // every object is KMS-encrypted (head refuses anything else)
  for (const k of Object.values(r.job.keys)) assert.equal((await stack.objects.store.head(stack.storage.buckets.parsed, k)).serverSideEncryption, 'aws:kms');
  assert.deepEqual(await objectsOf(stack, r.job), Object.values(r.job.keys).sort());
  const types = r.events.map((e) => e.type);
  assert.deepEqual(types.filter((t) => t.startsWith('dph.job.')), ['dph.job.parsing', 'dph.job.postproc', 'dph.job.succeeded']);
  const audits = r.events.filter((e) => e.type.startsWith('dph.audit.')).map((e) => e.type.slice('dph.audit.'.length));
  assert.deepEqual(audits.filter((t) => t !== 'pii_hit'), ['routed', 'parsing_started', 'parsed', 'postproc_done', 'succeeded']);
  const hits = r.events.filter((e) => e.type === 'dph.audit.pii_hit');
  const mdHits = hits.filter((h) => (h.data.payload as { artifact: string }).artifact === 'md');
  assert.equal(mdHits.length, Object.values(counts).reduce((a, b) => a + b, 0), 'one pii_hit per hit in result.md');
  for (const h of hits) {
    const p = h.data.payload as Record<string, unknown>;
    assert.deepEqual(Object.keys(p).sort(), ['artifact', 'confidence', 'end', 'entity_type', 'recognizer', 'start', ...(p.path ? ['path'] : [])].sort());
  }
  assertNoPii(JSON.stringify(r.events));
});

test('docx: headings and table, PII redacted', async () => {
  const r = await runOk(await fx.docx(), { filename: 'contract.docx' });
  assert.equal(r.row.document_type, 'docx');
  assert.match(r.md, /^# Employment contract/m);
  assert.ok(r.json.blocks.some((b) => b.kind === 'table'));
  assertNoPii(r.md, JSON.stringify(r.json), JSON.stringify(r.chunks));
});

test('xlsx, csv, html, json, pptx, pdf and e-mail all end succeeded with redacted output', async () => {
  const cases: [string, Uint8Array | string, { filename?: string; declaredType?: string }][] = [
    ['xlsx', await fx.xlsx(), { filename: 'c.xlsx' }],
    ['csv', fx.csv, { declaredType: 'text/csv' }],
    ['html', fx.html, { declaredType: 'text/html' }],
    ['json', fx.json, {}],
    ['pptx', await fx.pptx(), { filename: 'd.pptx' }],
    ['pdf-native', fx.pdf([[`Bill to ${fx.PII.email}`], [`Call ${fx.PII.phone}`]]), { filename: 'i.pdf' }],
    ['email', fx.eml([{ filename: 'p.csv', contentType: 'text/csv', content: Buffer.from(fx.csv) }]), { filename: 'm.eml' }],
    ['txt', fx.txt, { declaredType: 'text/plain' }],
  ];
  for (const [type, content, o] of cases) {
    const r = await runOk(content, o);
    assert.equal(r.row.document_type, type);
    assertNoPii(r.md, JSON.stringify(r.json), JSON.stringify(r.chunks));
    assert.ok(r.chunks.chunks.length >= 1);
    if (type === 'pdf-native') assert.ok((r.json.blocks as { page?: number }[]).some((b) => b.page === 2));
  }
});

test('metrics: job_duration_seconds by scene and engine, pii_entities_total by type', async () => {
  const text = await registry.metrics();
  assert.match(text, /job_duration_seconds_count\{scene="wtest",engine="builtin"\} [1-9]/);
  assert.match(text, /pii_entities_total\{type="EMAIL_ADDRESS"\} [1-9]/);
  assert.match(text, /queue_depth\{queue="dph\.parse\.pipe-[0-9a-f]+\.normal"\} 0/);
});
