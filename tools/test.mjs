#!/usr/bin/env node
// Runs one project's tests with Node's test runner (TypeScript through tsx, workspace sources through the
// "development" export condition). Test files: *.test.ts under src/ and test/. A TAP copy of the results goes to
// <repo>/.dph/test-results/<project>.tap so `tools/test-summary.mjs` can print one total for the whole run.
import { readdirSync, statSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cwd = process.cwd();
const only = process.argv.slice(2);

function walk(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = only.length ? only : [...walk(join(cwd, 'src'), []), ...walk(join(cwd, 'test'), [])].sort();
if (files.length === 0) {
  console.log(`[test] ${relative(root, cwd) || '.'}: no test files`);
  process.exit(0);
}
const results = join(root, '.dph', 'test-results');
mkdirSync(results, { recursive: true });
const name = relative(root, cwd).replaceAll('/', '__') || basename(cwd);
const args = [
  '--conditions=development', '--import', 'tsx', '--test',
  `--test-concurrency=${process.env.DPH_TEST_CONCURRENCY ?? '1'}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${join(results, name + '.tap')}`,
  ...files,
];
const r = spawnSync(process.execPath, args, { cwd, stdio: 'inherit', env: process.env });
process.exit(r.status ?? 1);
