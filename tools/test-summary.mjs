#!/usr/bin/env node
// Adds up the TAP summaries that tools/test.mjs wrote for each project and prints one closing line.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '.dph', 'test-results');
let pass = 0, fail = 0, skip = 0;
for (const f of existsSync(dir) ? readdirSync(dir) : []) {
  if (!f.endsWith('.tap')) continue;
  const text = readFileSync(join(dir, f), 'utf8');
  const num = (k) => Number(text.match(new RegExp(`^# ${k} (\\d+)$`, 'm'))?.[1] ?? 0);
  pass += num('pass'); fail += num('fail'); skip += num('skipped');
}
console.log(`tests: ${pass} passed, ${fail} failed, ${skip} skipped`);
process.exit(fail > 0 ? 1 : 0);
