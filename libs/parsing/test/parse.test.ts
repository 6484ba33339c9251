import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DphError } from '@dph/errors';
import { parseDocument, type ParsedDocument } from '../src/index.js';
import * as fx from '../testing/fixtures.js';

const enc = (s: string) => new TextEncoder().encode(s);
const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DphError, `expected DphError, got ${String(e)}`);
    return e.code;
  }
  assert.fail('expected a failure');
};
const kinds = (d: ParsedDocument) => d.blocks.map((b) => b.kind);

test('markdown: kept as written, blocks for heading/paragraph/table/list/code', async () => {
  const d = await parseDocument({ bytes: enc(fx.md), filename: 'r.md' });
  assert.equal(d.documentType, 'md');
  assert.equal(d.markdown, fx.md);
  assert.deepEqual(kinds(d), ['heading', 'paragraph', 'heading', 'table', 'list', 'code']);
  const table = d.blocks[3]!;
  assert.deepEqual(table.rows?.[0], ['Region', 'Revenue', 'Owner']);
  assert.deepEqual(table.rows?.[1], ['North', '100', fx.PII.email]);
  assert.equal(d.blocks[5]!.language, 'ts');
  assert.deepEqual(d.blocks[4]!.items, ['first point', 'second point']);
});

test('markdown is recognised from content without any hint', async () => {
  const d = await parseDocument({ bytes: enc(fx.md) });
  assert.equal(d.documentType, 'md');
});

test('txt: paragraphs, a leading hash is escaped and does not become a heading', async () => {
  const d = await parseDocument({ bytes: enc(fx.txt), declaredType: 'text/plain' });
  assert.equal(d.documentType, 'txt');
  assert.deepEqual(kinds(d), ['paragraph', 'paragraph']);
  assert.match(d.markdown, /\\# not a heading/);
  assert.ok(d.blocks[0]!.text.includes('# not a heading'));
});

test('csv: one table with header, quoted commas kept in a cell', async () => {
  const d = await parseDocument({ bytes: enc(fx.csv), filename: 'people.csv' });
  assert.equal(d.documentType, 'csv');
  assert.equal(d.blocks.length, 1);
  assert.deepEqual(d.blocks[0]!.rows, [
    ['name', 'email', 'phone'],
    [fx.PII.name, fx.PII.email, fx.PII.phone],
    ['Smith, John', 'john@example.net', '+1 212-555-0188'],
  ]);
  assert.match(d.markdown, /^\| name \| email \| phone \|\n\| --- \| --- \| --- \|/);
});

test('csv without hints is detected by consistent delimiters (semicolon)', async () => {
  const d = await parseDocument({ bytes: enc('a;b;c\n1;2;3\n4;5;6\n') });
  assert.equal(d.documentType, 'csv');
  assert.deepEqual(d.blocks[0]!.rows?.[2], ['4', '5', '6']);
});

test('json object → key/value list; json records → table', async () => {
  const d = await parseDocument({ bytes: enc(fx.json), declaredType: 'text/plain' });
  assert.equal(d.documentType, 'json');
  assert.ok(d.markdown.includes(fx.PII.email));
  assert.ok(d.blocks.every((b) => b.kind === 'list'));
  const r = await parseDocument({ bytes: enc(fx.jsonRecords) });
  assert.equal(r.blocks[0]!.kind, 'table');
  assert.deepEqual(r.blocks[0]!.rows?.[0], ['id', 'email', 'score']);
  assert.deepEqual(r.blocks[0]!.rows?.[2], ['2', 'max@example.org', '']);
});

test('html: scripts and styles dropped, header-less table becomes a GFM table', async () => {
  const d = await parseDocument({ bytes: enc(fx.html), declaredType: 'text/html' });
  assert.equal(d.documentType, 'html');
  assert.doesNotMatch(d.markdown, /alert|color:red/);
  assert.match(d.markdown, /^# Customer page/m);
  const t = d.blocks.find((b) => b.kind === 'table')!;
  assert.deepEqual(t.rows, [['Name', 'Card'], [fx.PII.name, fx.PII.card]]);
  assert.ok(d.blocks.some((b) => b.kind === 'list' && b.items?.join() === 'alpha,beta'));
});

test('docx: headings, paragraph and table', async () => {
  const d = await parseDocument({ bytes: await fx.docx(), filename: 'contract.docx' });
  assert.equal(d.documentType, 'docx');
  assert.match(d.markdown, /^# Employment contract/m);
  assert.match(d.markdown, /^## Terms/m);
  const t = d.blocks.find((b) => b.kind === 'table')!;
  assert.deepEqual(t.rows, [['Item', 'Value'], ['SSN', fx.PII.ssn]]);
  assert.ok(d.blocks.some((b) => b.kind === 'paragraph' && b.text.includes(fx.PII.phone)));
});

test('xlsx: one heading + table per non-empty sheet; dates, hyperlinks and formulas as text', async () => {
  const d = await parseDocument({ bytes: await fx.xlsx() });
  assert.equal(d.documentType, 'xlsx');
  assert.deepEqual(d.meta.sheets, ['Customers']);
  assert.deepEqual(kinds(d), ['heading', 'table']);
  assert.deepEqual(d.blocks[1]!.rows, [
    ['Name', 'Email', 'Joined'],
    [fx.PII.name, fx.PII.email, '2024-01-15'],
    ['Max Mustermann', 'max@example.org', '2023-06-01'],
    ['Total', '2'],
  ]);
});

test('pptx: slides in numeric order with page numbers', async () => {
  const d = await parseDocument({ bytes: await fx.pptx(), filename: 'deck.pptx' });
  assert.equal(d.documentType, 'pptx');
  const headings = d.blocks.filter((b) => b.kind === 'heading').map((b) => [b.text, b.page]);
  assert.deepEqual(headings, [['Slide 1', 1], ['Slide 2', 2], ['Slide 10', 10]]);
  assert.ok(d.blocks.some((b) => b.text === `Owner: ${fx.PII.name} & team`));
  assert.match(d.markdown, /<!-- page: 2 -->/);
});

test('pdf with a text layer: paragraphs per page with page numbers and page markers', async () => {
  const bytes = fx.pdf([['Invoice 42', `Bill to ${fx.PII.name}`], [`Phone ${fx.PII.phone} (mobile)`]]);
  const d = await parseDocument({ bytes, filename: 'x.pdf' });
  assert.equal(d.documentType, 'pdf-native');
  assert.equal(d.meta.pages, 2);
  assert.deepEqual(d.blocks.map((b) => [b.text, b.page]), [
    [`Invoice 42 Bill to ${fx.PII.name}`, 1],
    [`Phone ${fx.PII.phone} (mobile)`, 2],
  ]);
  assert.match(d.markdown, /<!-- page: 1 -->[\s\S]*<!-- page: 2 -->/);
  assert.equal(d.degraded, false);
});

test('pdf with some pages lacking text: native, degraded, with a warning', async () => {
  const d = await parseDocument({ bytes: fx.pdf([['Only page one has text'], null]) });
  assert.equal(d.documentType, 'pdf-native');
  assert.equal(d.degraded, true);
  assert.deepEqual(d.warnings, ['pdf_pages_without_text:1']);
});

test('pdf without any text layer is a scan: needs_ocr when no engine is routed', async () => {
  assert.equal(await codeOf(parseDocument({ bytes: fx.pdf([null, null]) })), 'needs_ocr');
});

test('email: headers, body, attachment list and attachments parsed recursively', async () => {
  const inner = fx.eml([{ filename: 'deep.csv', contentType: 'text/csv', content: Buffer.from(fx.csv) }]);
  const bytes = fx.eml([
    { filename: 'people.csv', contentType: 'text/csv', content: Buffer.from(fx.csv) },
    { filename: 'contract.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', content: await fx.docx() },
    { filename: 'photo.png', contentType: 'image/png', content: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex') },
    { filename: 'fwd.eml', contentType: 'message/rfc822', content: inner },
  ]);
  const d = await parseDocument({ bytes, filename: 'm.eml' }, { limits: { emailMaxDepth: 1 } });
  assert.equal(d.documentType, 'email');
  assert.equal(d.meta.email?.subject, 'Contract for review');
  assert.match(d.meta.email?.from ?? '', /jane\.roe@example\.com/);
  assert.match(d.markdown, /^# Contract for review/m);
  assert.ok(d.markdown.includes(fx.PII.phone));
  const att = d.meta.attachments!;
  assert.deepEqual(att.map((a) => [a.index, a.parsed, a.documentType ?? a.skippedReason]), [
    [1, true, 'csv'],
    [2, true, 'docx'],
    [3, false, 'unsupported_type'],
    [4, true, 'email'],
  ]);
  assert.ok(d.blocks.some((b) => b.source === 'attachment:1' && b.kind === 'table'));
  assert.ok(d.blocks.some((b) => b.source === 'attachment:2' && b.kind === 'heading' && b.text === 'Employment contract' && b.level === 3));
  // the forwarded mail is at the depth limit: its own attachment is listed, not parsed
  assert.ok(d.warnings.includes('attachment:3:skipped:unsupported_type'));
  assert.ok(!d.blocks.some((b) => b.kind === 'table' && b.source === 'attachment:4'));
  assert.ok(d.warnings.every((w) => !w.includes('@') && !w.includes('photo')));
});

test('email attachment count limit', async () => {
  const many = Array.from({ length: 3 }, (_, i) => ({ filename: `n${i}.txt`, contentType: 'text/plain', content: Buffer.from(`note ${i}`) }));
  const d = await parseDocument({ bytes: fx.eml(many) }, { limits: { emailMaxAttachments: 2 } });
  assert.deepEqual(d.meta.attachments!.map((a) => a.skippedReason ?? 'ok'), ['ok', 'ok', 'count_limit']);
});

test('blank and empty documents → empty_content', async () => {
  assert.equal(await codeOf(parseDocument({ bytes: new Uint8Array() })), 'empty_content');
  assert.equal(await codeOf(parseDocument({ bytes: enc('  \n\t\n ') })), 'empty_content');
  assert.equal(await codeOf(parseDocument({ bytes: enc('<html><body> </body></html>'), declaredType: 'text/html' })), 'empty_content');
});

test('binary of no supported type → unsupported_type', async () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  assert.equal(await codeOf(parseDocument({ bytes: png, declaredType: 'application/pdf' })), 'unsupported_type');
  assert.equal(await codeOf(parseDocument({ bytes: Buffer.from([0, 1, 2, 3, 0, 0, 7, 8]) })), 'unsupported_type');
});

test('corrupt inputs → parse_failed', async () => {
  assert.equal(await codeOf(parseDocument({ bytes: Buffer.from('%PDF-1.4\ngarbage without objects'), filename: 'a.pdf' })), 'parse_failed');
  const docx = await fx.docx();
  assert.equal(await codeOf(parseDocument({ bytes: docx.subarray(0, Math.floor(docx.length / 2)), filename: 'a.docx' })), 'parse_failed');
});

test('zip bomb in an office file fails fast with parse_failed', async () => {
  const bomb = await fx.zipBomb(40 * 1024 * 1024);
  assert.ok(bomb.length < 200 * 1024, 'the bomb is small on disk');
  assert.equal(await codeOf(parseDocument({ bytes: bomb, filename: 'x.docx' })), 'parse_failed');
  // under a lower expanded-size budget even a plausible ratio is refused
  assert.equal(await codeOf(parseDocument({ bytes: await fx.zipBomb(2 * 1024 * 1024), filename: 'x.docx' }, { limits: { zipMaxExpandedBytes: 1024 * 1024, zipMaxRatio: 1e9 } })), 'parse_failed');
  assert.equal(await codeOf(parseDocument({ bytes: await fx.manyEntries(60), filename: 'x.docx' }, { limits: { zipMaxEntries: 50 } })), 'parse_failed');
});

test('content wins over a wrong declared type', async () => {
  const d = await parseDocument({ bytes: await fx.docx(), declaredType: 'text/plain', filename: 'notes.txt' });
  assert.equal(d.documentType, 'docx');
  const j = await parseDocument({ bytes: enc(fx.json), declaredType: 'text/csv' });
  assert.equal(j.documentType, 'json');
});

test('json nested values: list items are plain text', async () => {
  const d = await parseDocument({ bytes: enc(fx.json) });
  const customer = d.blocks[0]!;
  assert.deepEqual(customer.items, ['customer', `name: ${fx.PII.name}`, `email: ${fx.PII.email}`, 'tags', 'vip', 'beta']);
  assert.match(d.markdown, /- \*\*customer\*\*\n {2}- \*\*name\*\*: Jane Roe/);
});
