import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkMarkdown, estimateTokens, parseChunkProfiles, profileFor, type Chunk } from '../src/index.js';

const norm = (md: string, c: Chunk) => md.slice(c.startOffset, c.endOffset).replace(/<!-- page: \d+ -->\n*/g, '').replace(/\n{3,}/g, '\n\n');

function table(rows: number, cellWidth = 10): string {
  const head = '| id | name | note |\n| --- | --- | --- |';
  const body = Array.from({ length: rows }, (_, i) => `| ${i} | person-${i} | ${'x'.repeat(cellWidth)} |`);
  return [head, ...body].join('\n');
}

test('a small document is one chunk whose text is the document', () => {
  const md = '# Title\n\nHello world.\n';
  const c = chunkMarkdown(md, 'job1');
  assert.equal(c.length, 1);
  assert.equal(c[0]!.id, 'job1:0');
  assert.equal(c[0]!.text, '# Title\n\nHello world.');
  assert.deepEqual(c[0]!.headingPath, ['Title']);
  assert.equal(c[0]!.startOffset, 0);
  assert.equal(c[0]!.endOffset, md.length - 1);
  assert.equal(c[0]!.pageRange, null);
  assert.equal(c[0]!.tokenEstimate, estimateTokens(c[0]!.text));
});

test('empty or whitespace-only markdown yields no chunks', () => {
  assert.deepEqual(chunkMarkdown('', 'j'), []);
  assert.deepEqual(chunkMarkdown('\n\n  \n', 'j'), []);
});

test('headings start chunks and build the heading path (going back up the tree too)', () => {
  const md = '# A\n\nintro\n\n## B\n\nbee\n\n### C\n\ncee\n\n## D\n\ndee\n\n# E\n\nee\n';
  const c = chunkMarkdown(md, 'j');
  assert.deepEqual(c.map((x) => x.headingPath), [['A'], ['A', 'B'], ['A', 'B', 'C'], ['A', 'D'], ['E']]);
  assert.deepEqual(c.map((x) => x.text), ['# A\n\nintro', '## B\n\nbee', '### C\n\ncee', '## D\n\ndee', '# E\n\nee']);
  for (const x of c) assert.equal(norm(md, x), x.text);
});

test('a skipped heading level does not leave an empty entry in the path', () => {
  const c = chunkMarkdown('# A\n\n### deep\n\ntext\n', 'j');
  assert.deepEqual(c[0]!.headingPath, ['A', 'deep']);
});

test('a "#" line inside a code fence is not a heading', () => {
  const md = '# Real\n\n```sh\n# comment, not a heading\necho hi\n```\n';
  const c = chunkMarkdown(md, 'j');
  assert.equal(c.length, 1);
  assert.deepEqual(c[0]!.headingPath, ['Real']);
});

test('tables: rows never split, every continuation chunk repeats the header, all rows kept in order', () => {
  const md = `# People\n\n${table(60)}\n\nAfter the table.\n`;
  const c = chunkMarkdown(md, 'j', { maxChars: 300, overlapChars: 40 });
  const tableChunks = c.filter((x) => x.text.includes('| --- |'));
  assert.ok(tableChunks.length > 3, 'the table spans several chunks');
  const seen: string[] = [];
  for (const x of tableChunks) {
    const lines = x.text.split('\n').filter((l) => l.startsWith('|'));
    assert.equal(lines[0], '| id | name | note |');
    assert.equal(lines[1], '| --- | --- | --- |');
    for (const l of lines.slice(2)) {
      assert.match(l, /^\| \d+ \| person-\d+ \| x{10} \|$/, 'a whole row');
      seen.push(l);
    }
    assert.ok(x.text.length <= 300, `chunk within max (${x.text.length})`);
    assert.deepEqual(x.headingPath, ['People']);
  }
  assert.deepEqual(seen, Array.from({ length: 60 }, (_, i) => `| ${i} | person-${i} | ${'x'.repeat(10)} |`));
  // offsets of a continuation chunk point at its rows, not at the repeated header
  const second = tableChunks[1]!;
  assert.ok(md.slice(second.startOffset, second.endOffset).startsWith('| '));
  assert.ok(!md.slice(second.startOffset, second.endOffset).includes('| id | name |'));
  assert.equal(c[c.length - 1]!.text.endsWith('After the table.'), true);
});

test('a single row longer than maxChars stays whole in its own chunk', () => {
  const md = `| a | b |\n| --- | --- |\n| 1 | short |\n| 2 | ${'y'.repeat(500)} |\n| 3 | short |\n`;
  const c = chunkMarkdown(md, 'j', { maxChars: 100, overlapChars: 10 });
  const big = c.find((x) => x.text.includes('y'.repeat(500)))!;
  assert.ok(big.text.includes(`| 2 | ${'y'.repeat(500)} |`));
  assert.ok(big.text.startsWith('| a | b |\n| --- | --- |\n'));
  assert.equal(c.flatMap((x) => x.text.split('\n')).filter((l) => /^\| \d /.test(l)).length, 3);
});

test('long prose is split at sentence ends with a word-aligned overlap', () => {
  const sentences = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} talks about topic ${i % 7}.`);
  const md = `## Notes\n\n${sentences.join(' ')}\n`;
  const c = chunkMarkdown(md, 'j', { maxChars: 200, overlapChars: 50 });
  assert.ok(c.length > 4);
  for (const [i, x] of c.entries()) {
    assert.ok(x.text.length <= 200, `chunk ${i} is ${x.text.length} chars`);
    assert.deepEqual(x.headingPath, ['Notes']);
    if (i > 0) {
      const prev = c[i - 1]!;
      assert.ok(x.startOffset < prev.endOffset, 'overlaps the previous chunk');
      assert.ok(prev.endOffset - x.startOffset <= 50);
      assert.ok(/\s/.test(md[x.startOffset - 1]!), 'overlap starts at a word boundary');
      assert.ok(x.text.startsWith(md.slice(x.startOffset, prev.endOffset)));
    }
  }
  // every sentence survives somewhere
  for (const s of sentences) assert.ok(c.some((x) => x.text.includes(s)), s);
});

test('overlap never crosses a heading; overlap 0 gives disjoint chunks', () => {
  const para = 'word '.repeat(60).trim();
  const md = `# A\n\n${para}\n\n# B\n\n${para}\n`;
  const c = chunkMarkdown(md, 'j', { maxChars: 120, overlapChars: 30 });
  const firstB = c.findIndex((x) => x.headingPath[0] === 'B');
  assert.ok(c[firstB]!.text.startsWith('# B'));
  const d = chunkMarkdown(md, 'j', { maxChars: 120, overlapChars: 0 });
  for (let i = 1; i < d.length; i++) assert.ok(d[i]!.startOffset >= d[i - 1]!.endOffset);
});

test('page ranges come from page markers; markers are not in chunk text', () => {
  const md = '<!-- page: 1 -->\n\nfirst page text\n\n<!-- page: 2 -->\n\nsecond page text\n\n<!-- page: 3 -->\n\nthird page text\n';
  const one = chunkMarkdown(md, 'j');
  assert.equal(one.length, 1);
  assert.deepEqual(one[0]!.pageRange, { from: 1, to: 3 });
  assert.doesNotMatch(one[0]!.text, /page:/);
  const split = chunkMarkdown(md, 'j', { maxChars: 40, overlapChars: 0 });
  assert.deepEqual(split.map((x) => x.pageRange), [{ from: 1, to: 2 }, { from: 3, to: 3 }]);
});

test('CJK text without spaces is cut at 。 or hard, never lost', () => {
  const md = '这是第一句话，包含一些中文内容。'.repeat(30) + '\n';
  const c = chunkMarkdown(md, 'j', { maxChars: 100, overlapChars: 0 });
  assert.ok(c.length > 3);
  assert.equal(c.map((x) => x.text).join(''), md.trim());
  assert.ok(c.every((x) => x.text.length <= 100));
  assert.ok(c[0]!.tokenEstimate >= c[0]!.text.length * 0.9, 'CJK counts about a token a character');
});

test('an oversized code block is split at line boundaries', () => {
  const lines = Array.from({ length: 50 }, (_, i) => `let v${i} = ${i};`);
  const md = '```js\n' + lines.join('\n') + '\n```\n';
  const c = chunkMarkdown(md, 'j', { maxChars: 120, overlapChars: 0 });
  assert.ok(c.length > 3);
  for (const x of c) for (const l of x.text.split('\n')) assert.ok(l === '```js' || l === '```' || /^let v\d+ = \d+;$/.test(l), l);
});

test('ids are deterministic and options are validated', () => {
  const md = `# T\n\n${table(30)}\n`;
  const a = chunkMarkdown(md, 'job-42', { maxChars: 200, overlapChars: 20 });
  const b = chunkMarkdown(md, 'job-42', { maxChars: 200, overlapChars: 20 });
  assert.deepEqual(a, b);
  assert.deepEqual(a.map((x) => x.id), a.map((_, i) => `job-42:${i}`));
  assert.throws(() => chunkMarkdown(md, 'j', { maxChars: 100, overlapChars: 100 }), RangeError);
});

test('profiles per scene with a default', () => {
  const p = parseChunkProfiles('legal:3000:300,hr:800:80');
  assert.deepEqual(profileFor(p, 'legal'), { maxChars: 3000, overlapChars: 300, splitHeadingLevel: 6 });
  assert.equal(profileFor(p, 'other').maxChars, 1500);
  assert.throws(() => parseChunkProfiles('legal:100:200'), /DPH_CHUNK_PROFILES/);
  assert.throws(() => parseChunkProfiles('Legal!:1:1'), /DPH_CHUNK_PROFILES/);
});

test('random documents: bounded sizes, no word lost, offsets inside the document', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const word = () => ['alpha', 'beta', 'gamma', 'delta', '数据', 'epsilon.', 'zeta,', 'eta'][Math.floor(rnd() * 8)]!;
  for (let doc = 0; doc < 40; doc++) {
    const blocks: string[] = [];
    for (let b = 0; b < 5 + rnd() * 25; b++) {
      const r = rnd();
      if (r < 0.15) blocks.push(`${'#'.repeat(1 + Math.floor(rnd() * 4))} ${word()} ${word()}`);
      else if (r < 0.3) blocks.push(table(1 + Math.floor(rnd() * 20), Math.floor(rnd() * 30)));
      else if (r < 0.4) blocks.push(`<!-- page: ${b} -->`);
      else if (r < 0.5) blocks.push(Array.from({ length: 2 + rnd() * 6 }, () => `- ${word()} ${word()}`).join('\n'));
      else blocks.push(Array.from({ length: 5 + rnd() * 200 }, word).join(' '));
    }
    const md = blocks.join('\n\n') + '\n';
    const maxChars = 80 + Math.floor(rnd() * 400);
    const overlapChars = Math.floor(rnd() * maxChars * 0.3);
    const c = chunkMarkdown(md, `d${doc}`, { maxChars, overlapChars });
    const all = c.map((x) => x.text).join('\n');
    for (const w of md.replace(/<!-- page: \d+ -->/g, '').split(/[\s|]+/).filter(Boolean)) assert.ok(all.includes(w), `lost "${w}"`);
    for (const x of c) {
      assert.ok(x.startOffset >= 0 && x.endOffset <= md.length && x.startOffset < x.endOffset);
      const oversizedRow = x.text.split('\n').some((l) => l.startsWith('|') && l.length > maxChars / 2);
      if (!oversizedRow) assert.ok(x.text.length <= maxChars, `doc ${doc} chunk ${x.index}: ${x.text.length} > ${maxChars}`);
    }
  }
});
