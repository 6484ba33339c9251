#!/usr/bin/env node
// `npm test`: every project's tests through Nx, then one closing total across all of them.
import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, '.dph', 'test-results'), { recursive: true, force: true });
const nx = spawnSync(
  join(root, 'node_modules', '.bin', 'nx'),
  ['run-many', '-t', 'test', `--parallel=${process.env.DPH_TEST_PARALLEL ?? '2'}`, '--outputStyle=stream', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } },
);
const summary = spawnSync(process.execPath, [join(root, 'tools', 'test-summary.mjs')], { cwd: root, stdio: 'inherit' });
process.exit(nx.status !== 0 ? (nx.status ?? 1) : (summary.status ?? 1));
