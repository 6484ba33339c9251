#!/usr/bin/env node
// Runs the dph CLI: the built entry point when it exists, otherwise the TypeScript sources through tsx with the
// "development" export condition (how the monorepo runs in development).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const built = join(here, '..', 'dist', 'main.js');
const args = existsSync(built)
  ? [built, ...process.argv.slice(2)]
  : ['--conditions=development', '--import', 'tsx', join(here, '..', 'src', 'main.ts'), ...process.argv.slice(2)];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
