#!/usr/bin/env node
// Installs the workspace dependencies when they are missing or older than the lock file, so that
// `npm test`, `npm run stack` and `npm run demo` work on a fresh clone. Uses only Node built-ins.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
if (stale) {
  console.log('[deps] installing npm dependencies (first run on this clone) ...');
  const args = existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  const r = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('[deps] npm install failed; see the output above');
    process.exit(r.status ?? 1);
  }
}
