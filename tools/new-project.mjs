#!/usr/bin/env node
// Scaffolds a workspace project: `node tools/new-project.mjs libs/foo` or `services/bar`.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { basename, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const rel of process.argv.slice(2)) {
  const dir = join(root, rel);
  const kind = rel.startsWith('services/') ? 'service' : rel.startsWith('libs/') ? 'lib' : 'tool';
  const name = basename(rel);
  const up = rel.split('/').map(() => '..').join('/');
  mkdirSync(join(dir, 'src'), { recursive: true });
  const write = (f, s) => { if (!existsSync(join(dir, f))) writeFileSync(join(dir, f), s); };
  const pkg = {
    name: kind === 'service' ? `@dph/${name}` : kind === 'lib' ? `@dph/${name}` : `@dph/${name}`,
    version: '0.1.0',
    private: true,
    type: 'module',
    ...(kind === 'lib'
      ? { exports: { '.': { development: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' } } }
      : {}),
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      typecheck: 'tsc -p tsconfig.json --noEmit',
      lint: 'eslint src',
      test: `node ${up}/tools/test.mjs`,
    },
    nx: { tags: [`type:${kind}`] },
    dependencies: {},
  };
  write('package.json', JSON.stringify(pkg, null, 2) + '\n');
  write('tsconfig.json', JSON.stringify({ extends: `${up}/tsconfig.base.json`, include: ['src', 'test'] }, null, 2) + '\n');
  write('tsconfig.build.json', JSON.stringify({
    extends: './tsconfig.json',
    compilerOptions: { rootDir: 'src', outDir: 'dist', customConditions: [] },
    include: ['src'],
    exclude: ['src/**/*.test.ts'],
  }, null, 2) + '\n');
  write(join('src', kind === 'service' ? 'main.ts' : 'index.ts'), kind === 'service' ? '' : 'export {};\n');
}
