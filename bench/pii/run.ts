// Quality and speed benchmark of the PII engine against presidio-analyzer on one seeded corpus.
// Usage: npm run bench:pii [-- --docs N --seed S --throughput-mb M --skip-presidio]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine, loadPolicy, parsePolicy, type EntityType, type PiiEngine } from '@dph/pii';
import { ADVERSARIAL } from './adversarial.js';
import { fillerParagraph } from './filler.js';
import { generateCorpus, type Doc } from './generate.js';
import { Rng } from './rng.js';
import { score, table, type Pred, type Row } from './score.js';
import type { GoldType } from './values.js';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'out');
mkdirSync(out, { recursive: true });

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const DOCS = Number(arg('docs', '3000'));
const SEED = Number(arg('seed', '20261203'));
const THROUGHPUT_MB = Number(arg('throughput-mb', '16'));
const SKIP_PRESIDIO = process.argv.includes('--skip-presidio');

const ALL: GoldType[] = ['CREDIT_CARD', 'US_SSN', 'PHONE_NUMBER', 'EMAIL_ADDRESS', 'IP_ADDRESS', 'CN_MOBILE', 'CN_ID_CARD', 'CN_BANK_CARD'];
const SHARED: GoldType[] = ['CREDIT_CARD', 'US_SSN', 'PHONE_NUMBER', 'EMAIL_ADDRESS', 'IP_ADDRESS'];

function scanDoc(engine: PiiEngine, d: Doc): Pred[] {
  return d.format === 'markdown' ? engine.redactMarkdown(d.text).findings : engine.scanText(d.text);
}

function ensureVenv(): string {
  const py = join(here, '.venv', 'bin', 'python');
  if (existsSync(py) && spawnSync(py, ['-c', 'import presidio_analyzer, spacy'], { stdio: 'ignore' }).status === 0) return py;
  console.error('[bench] creating bench/pii/.venv with presidio-analyzer (one time)');
  const steps: string[][] = [
    ['python3', '-m', 'venv', join(here, '.venv')],
    [join(here, '.venv', 'bin', 'pip'), 'install', '--quiet', '-r', join(here, 'requirements.txt')],
  ];
  for (const [cmd, ...args] of steps) {
    const r = spawnSync(cmd!, args, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`[bench] ${cmd} failed`);
  }
  return py;
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
// CPU time of this (single-threaded) process: the machine is shared, so wall time would measure the neighbours.
// presidio_run.py measures the same way (time.process_time).
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// --- corpus -----------------------------------------------------------------------------------------------
const docs = generateCorpus(SEED, DOCS);
const corpusFile = join(out, 'corpus.jsonl');
writeFileSync(corpusFile, docs.map((d) => JSON.stringify({ id: d.id, text: d.text })).join('\n') + '\n');
writeFileSync(join(out, 'gold.jsonl'), docs.map((d) => JSON.stringify({ id: d.id, gold: d.gold })).join('\n') + '\n');
const corpusChars = docs.reduce((n, d) => n + d.text.length, 0);
const goldCount = docs.reduce((n, d) => n + d.gold.length, 0);
console.log(`corpus: ${docs.length} docs (seed ${SEED}), ${corpusChars} chars, ${goldCount} labeled spans, formats prose_en/prose_zh/markdown/log/email/json`);

// --- ours: quality ------------------------------------------------------------------------------------------
const policy = loadPolicy(join(here, 'policy.yaml'));
const engine = createEngine(policy);
for (const d of docs.slice(0, 50)) scanDoc(engine, d); // warm-up
const t0 = cpuSeconds();
const ours = new Map(docs.map((d) => [d.id, scanDoc(engine, d)]));
const oursCorpusSec = cpuSeconds() - t0;
const oursRows = score(docs, ours, ALL, false);

// --- ours: throughput on separate corpora (fresh seeds, so no value repeats the quality run) -------------------
// "dense": generated documents only (about one PII value per 55 characters, 38% digits);
// "mixed": the same kind of documents, each followed by ~4,000 characters of PII-free EN/ZH business prose.
function throughputCorpus(mixed: boolean): string[] {
  const texts: string[] = [];
  let chars = 0;
  const r = new Rng(SEED ^ (mixed ? 0x5eed : 0xd3a5e));
  for (let s = 1; chars < THROUGHPUT_MB * 1e6; s++)
    for (const d of generateCorpus(SEED + s * 7919 + (mixed ? 1 : 0), 500)) {
      const t = mixed ? d.text + '\n\n' + fillerParagraph(r, 4000) : d.text;
      texts.push(t);
      chars += t.length;
    }
  return texts;
}
function measure(texts: readonly string[]): { chars: number; bytes: number; charsPerSec: number; bytesPerSec: number } {
  const chars = texts.reduce((n, t) => n + t.length, 0);
  const bytes = texts.reduce((n, t) => n + utf8(t), 0);
  const secs: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const t = cpuSeconds();
    let hits = 0;
    for (const text of texts) hits += engine.scanText(text).length;
    secs.push(cpuSeconds() - t);
    if (hits === 0) throw new Error('no findings in throughput corpus');
  }
  const sec = median(secs);
  return { chars, bytes, charsPerSec: chars / sec, bytesPerSec: bytes / sec };
}
const dense = measure(throughputCorpus(false));
const mixedTexts = throughputCorpus(true);
const mixed = measure(mixedTexts);
// Presidio gets a slice of the same mixed text (it is too slow for all of it in a benchmark run).
const mixedSampleFile = join(out, 'mixed-sample.jsonl');
writeFileSync(mixedSampleFile, mixedTexts.slice(0, 300).map((text) => JSON.stringify({ text })).join('\n') + '\n');
const oursCharsPerSec = mixed.charsPerSec;
const oursBytesPerSec = mixed.bytesPerSec;

// --- presidio -----------------------------------------------------------------------------------------------
let presidioRows: Row[] | undefined;
let presidioRows05: Row[] | undefined;
let presidioCharsPerSec: number | undefined;
let presidioMixedCharsPerSec: number | undefined;
if (!SKIP_PRESIDIO) {
  const py = ensureVenv();
  const predFile = join(out, 'presidio-preds.jsonl');
  const r = spawnSync(py, [join(here, 'presidio_run.py'), corpusFile, predFile, join(out, 'spacy-blank-en'), mixedSampleFile], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`presidio run failed:\n${r.stderr}`);
  const timing = JSON.parse(r.stdout.trim().split('\n').pop()!) as { chars: number; seconds: number; mixed_chars: number; mixed_seconds: number };
  presidioCharsPerSec = timing.chars / timing.seconds;
  presidioMixedCharsPerSec = timing.mixed_chars / timing.mixed_seconds;
  const preds = new Map<string, Pred[]>();
  for (const line of readFileSync(predFile, 'utf8').split('\n')) if (line) {
    const rec = JSON.parse(line) as { id: string; preds: Pred[] };
    preds.set(rec.id, rec.preds);
  }
  presidioRows = score(docs, preds, SHARED, true);
  const at05 = new Map([...preds].map(([k, v]) => [k, v.filter((p) => p.score >= 0.5)]));
  presidioRows05 = score(docs, at05, SHARED, true);
}

// --- adversarial --------------------------------------------------------------------------------------------
const adversarial: Array<{ entity: string; input: string; ms: number; findings: number }> = [];
for (const [entity, inputs] of Object.entries(ADVERSARIAL)) {
  const e = createEngine(parsePolicy({ version: 1, scene: 'adversarial', entities: [entity as EntityType] }));
  for (const [name, text] of Object.entries(inputs)) {
    const t = cpuSeconds();
    const n = e.scanText(text).length;
    adversarial.push({ entity, input: name, ms: Math.round((cpuSeconds() - t) * 1000), findings: n });
  }
}

// --- report -------------------------------------------------------------------------------------------------
console.log('\n' + table('### dph PII engine (bench scene policy, all eight types)', oursRows));
if (presidioRows) {
  console.log('\n' + table('### presidio-analyzer 2.2.366, blank spaCy en pipeline, default threshold (0)', presidioRows));
  console.log('\n' + table('### presidio-analyzer, results with score >= 0.5', presidioRows05!));
}
const mb = (x: number) => (x / 1e6).toFixed(2);
console.log('\n### Throughput (single thread)');
const line = (name: string, m: ReturnType<typeof measure>) =>
  console.log(`dph, ${name}: ${mb(m.chars)} M chars / ${mb(m.bytes)} MB UTF-8, median of 3 (CPU time): ${Math.round(m.charsPerSec).toLocaleString('en-US')} chars/s = ${mb(m.bytesPerSec)} MB/s`);
line('mixed text (documents + PII-free prose)', mixed);
line('dense documents only', dense);
console.log(`dph (quality corpus, ${DOCS} docs): ${Math.round(corpusChars / oursCorpusSec).toLocaleString('en-US')} chars/s`);
if (presidioCharsPerSec && presidioMixedCharsPerSec) {
  console.log(`presidio, mixed text (first 300 documents of the same corpus): ${Math.round(presidioMixedCharsPerSec).toLocaleString('en-US')} chars/s`);
  console.log(`presidio, quality corpus (dense): ${Math.round(presidioCharsPerSec).toLocaleString('en-US')} chars/s`);
  console.log(`ratio dph/presidio: mixed ${(mixed.charsPerSec / presidioMixedCharsPerSec).toFixed(1)}x, dense ${(dense.charsPerSec / presidioCharsPerSec).toFixed(1)}x`);
}
console.log('\n### Adversarial 1 MB inputs (one recognizer enabled, CPU ms)');
console.log('| entity | input | ms | findings |\n|---|---|---:|---:|');
for (const a of adversarial) console.log(`| ${a.entity} | ${a.input} | ${a.ms} | ${a.findings} |`);

console.log('\n### Targets');
const misses: string[] = [];
for (const r of oursRows) {
  if (r.recall < 0.99) misses.push(`${r.type} recall ${r.recall.toFixed(4)} < 0.99`);
  if (r.precision < 0.98) misses.push(`${r.type} precision ${r.precision.toFixed(4)} < 0.98`);
}
if (presidioRows)
  for (const t of SHARED) {
    const o = oursRows.find((r) => r.type === t)!.f2;
    const p = Math.max(presidioRows.find((r) => r.type === t)!.f2, presidioRows05!.find((r) => r.type === t)!.f2);
    if (o < p) misses.push(`${t} F2 ${o.toFixed(4)} < presidio ${p.toFixed(4)}`);
  }
if (presidioMixedCharsPerSec && oursCharsPerSec < 20 * presidioMixedCharsPerSec) misses.push(`mixed-text throughput ratio ${(oursCharsPerSec / presidioMixedCharsPerSec).toFixed(1)}x < 20x`);
if (presidioCharsPerSec && dense.charsPerSec < 20 * presidioCharsPerSec) misses.push(`dense-text throughput ratio ${(dense.charsPerSec / presidioCharsPerSec).toFixed(1)}x < 20x`);
if (oursBytesPerSec < 20e6) misses.push(`mixed-text throughput ${mb(oursBytesPerSec)} MB/s < 20 MB/s`);
if (dense.bytesPerSec < 20e6) misses.push(`dense-text throughput ${mb(dense.bytesPerSec)} MB/s < 20 MB/s (not the target's "mixed text", reported for honesty)`);
console.log(misses.length ? misses.map((m) => `MISSED: ${m}`).join('\n') : 'all targets met');
writeFileSync(join(out, 'results.json'), JSON.stringify({ seed: SEED, docs: DOCS, oursRows, presidioRows, presidioRows05, dense, mixed, presidioCharsPerSec, presidioMixedCharsPerSec, adversarial }, null, 2));
