import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/index.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'dph.mjs');

async function run(args: string[], stdin = '', env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    setExitCode: () => undefined,
  });
  return { code, out, err };
}

const tmp = (name: string, text: string) => {
  const f = join(mkdtempSync(join(tmpdir(), 'dph-cli-')), name);
  writeFileSync(f, text);
  return f;
};

test('jsonl mode: one output line per input line, offsets into the input text, never the value', async () => {
  const lines = [
    { id: 'a', text: '邮箱 zhangsan@163.com，手机13800138000' },
    { id: 7, text: 'nothing here' },
  ];
  const { code, out } = await run(['pii', 'scan', '--format', 'jsonl'], lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  assert.equal(code, 0);
  const recs = out.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(recs.length, 2);
  assert.equal(recs[0].id, 'a');
  assert.deepEqual(recs[0].entities.map((e: { type: string }) => e.type), ['EMAIL_ADDRESS', 'CN_MOBILE']);
  for (const e of recs[0].entities) {
    assert.deepEqual(Object.keys(e).sort(), ['end', 'score', 'start', 'type']);
    assert.ok(lines[0]!.text.slice(e.start, e.end).length > 0);
  }
  assert.equal(lines[0]!.text.slice(recs[0].entities[1].start, recs[0].entities[1].end), '13800138000');
  assert.equal(recs[0].redacted, '邮箱 <EMAIL_ADDRESS>，手机<CN_MOBILE>');
  assert.deepEqual(recs[1], { id: 7, entities: [], redacted: 'nothing here' });
  const entitiesJson = JSON.stringify(recs.map((r) => r.entities));
  assert.ok(!entitiesJson.includes('13800138000') && !entitiesJson.includes('zhangsan'));
});

test('jsonl mode: a bad line is reported by number on stderr and sets exit code 1', async () => {
  const { code, out, err } = await run(['pii', 'scan', '--format', 'jsonl'], '{"id":1,"text":"a@example.com"}\nnot json\n{"id":2}\n');
  assert.equal(code, 1);
  assert.equal(out.trim().split('\n').length, 1);
  assert.match(err, /-:2: expected/);
  assert.match(err, /-:3: expected/);
});

test('text mode over files prints name, offsets, type, score and recognizer', async () => {
  const f = tmp('in.txt', 'SSN 536-90-4399\n');
  const { code, out } = await run(['pii', 'scan', f]);
  assert.equal(code, 0);
  assert.equal(out, `${f}\t4\t15\tUS_SSN\t1\tus_ssn_ssa\n`);
});

test('--policy and --scene choose the policy; bad policies exit 2 naming the key', async () => {
  const p = tmp('p.yaml', 'version: 1\nscene: only-mail\nentities: [EMAIL_ADDRESS]\n');
  const { out } = await run(['pii', 'scan', '--policy', p], 'a@example.com 13800138000');
  assert.deepEqual(out.trim().split('\n').map((l) => l.split('\t')[3]), ['EMAIL_ADDRESS']);
  const bad = tmp('bad.yaml', 'version: 1\nscene: x\noperators:\n  CREDIT_CARD: { type: mask, keep_last: 4 }\n');
  const r = await run(['pii', 'scan', '--policy', bad], 'x');
  assert.equal(r.code, 2);
  assert.match(r.err, /operators\.CREDIT_CARD\.keep_last: unknown key/);
  const dir = dirname(tmp('default.yaml', 'version: 1\nscene: default\nentities: [IP_ADDRESS]\n'));
  const s = await run(['pii', 'scan', '--scene', 'anything'], '10.0.0.1 a@example.com', { DPH_PII_POLICY_DIR: dir });
  assert.deepEqual(s.out.trim().split('\n').map((l) => l.split('\t')[3]), ['IP_ADDRESS']);
  const missing = await run(['pii', 'scan', '--scene', 'credit'], 'a@example.com', {});
  assert.equal(missing.code, 2);
  assert.match(missing.err, /DPH_PII_SECRET_CREDIT/);
});

test('the installed bin runs the CLI and exits 2 on a bad policy (real process, stdin and files)', () => {
  const bad = tmp('bad.json', JSON.stringify({ version: 1, scene: 'x', colour: 'red' }));
  const r = spawnSync(process.execPath, [BIN, 'pii', 'scan', '--policy', bad], { input: 'x', encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /colour: unknown key/);
  const ok = spawnSync(process.execPath, [BIN, 'pii', 'scan'], { input: 'ip 192.168.0.1', encoding: 'utf8' });
  assert.equal(ok.status, 0);
  assert.equal(ok.stdout, '-\t3\t14\tIP_ADDRESS\t0.95\tip_ipaddr\n');
});
