import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { RECOGNIZERS } from '../src/recognizers/index.js';

// recheck's default backend spawns a JVM/native binary that may be absent; the pure-JS one is enough here.
process.env.RECHECK_BACKEND ??= 'pure';
const require = createRequire(import.meta.url);
const { checkSync } = require('recheck') as { checkSync: (src: string, flags: string, opts?: Record<string, unknown>) => { status: string; complexity?: { type: string } } };

test('every recognizer pattern is free of catastrophic (exponential or polynomial) backtracking', () => {
  const patterns = RECOGNIZERS.flatMap((r) => r.patterns.map((p) => [r.name, p] as const));
  assert.ok(patterns.length >= 10);
  for (const [name, re] of patterns) {
    const res = checkSync(re.source, re.flags, { timeout: 20000 });
    assert.equal(res.status, 'safe', `${name}: /${re.source}/${re.flags} is ${res.status} ${JSON.stringify(res.complexity ?? {})}`);
  }
});

/** Every regular-expression literal in the library's sources, found through the TypeScript parser. */
function regexLiterals(): Array<[string, string, string]> {
  const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const files: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.ts') && !n.endsWith('.test.ts')) files.push(p);
    }
  };
  walk(src);
  const out: Array<[string, string, string]> = [];
  for (const f of files) {
    const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (n: ts.Node) => {
      if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const lit = n.getText(sf);
        const slash = lit.lastIndexOf('/');
        out.push([f.slice(src.length + 1), lit.slice(1, slash), lit.slice(slash + 1)]);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

test('every regular-expression literal in libs/pii/src is free of catastrophic backtracking', () => {
  const all = regexLiterals();
  assert.ok(all.length >= 20, `found ${all.length}`);
  for (const [file, source, flags] of all) {
    const res = checkSync(source, flags, { timeout: 20000 });
    assert.equal(res.status, 'safe', `${file}: /${source}/${flags} is ${res.status} ${JSON.stringify(res.complexity ?? {})}`);
  }
});

test('the checker does flag a vulnerable pattern (the test can fail)', () => {
  assert.equal(checkSync('^(a+)+$', '').status, 'vulnerable');
  assert.equal(checkSync('[a-z]+@[a-z]+', 'g').status, 'vulnerable');
});
