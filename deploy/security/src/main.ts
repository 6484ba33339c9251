/**
 * `npm run test:security`: one place that attacks the running mesh (the local stack must be up) and prints one
 * line per check and a total. Exits non-zero when any check fails.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireStack } from '@dph/testkit';
import type { CheckResult } from './check.js';
import { bolaChecks } from './checks/bola.js';
import { jwtChecks } from './checks/jwt.js';
import { plaintextChecks } from './checks/plaintext.js';
import { redLineChecks } from './checks/red-line.js';
import { schemathesisCheck } from './checks/schemathesis.js';
import { ssrfChecks } from './checks/ssrf.js';
import { closeHttp } from './http.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const only = process.argv.slice(2);

function metricsUrls(): string[] {
  const r = spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', join(root, 'deploy/stack/src/main.ts'), 'status', '--json'], { encoding: 'utf8' });
  const s = JSON.parse(r.stdout) as { components: Record<string, { port: number; state: string }> };
  return ['orchestrator-api', 'worker-postproc', 'webhook-dispatcher', 'audit-writer']
    .filter((n) => s.components[n]?.state === 'running')
    .map((n) => `${n === 'orchestrator-api' ? 'https' : 'http'}://127.0.0.1:${s.components[n]!.port}/metrics`);
}

const groups: Array<[string, () => Promise<CheckResult[]>]> = [
  ['jwt', jwtChecks],
  ['bola', bolaChecks],
  ['ssrf', () => ssrfChecks(root)],
  ['plaintext', plaintextChecks],
  ['red-line', () => redLineChecks(metricsUrls())],
  ['schemathesis', async () => [schemathesisCheck(root)]],
];

async function main(): Promise<void> {
  requireStack();
  let pass = 0;
  let fail = 0;
  for (const [group, run] of groups) {
    if (only.length && !only.includes(group)) continue;
    let results: CheckResult[];
    try {
      results = await run();
    } catch (err) {
      results = [{ name: `${group}: could not run`, ok: false, detail: err instanceof Error ? err.message : String(err) }];
    }
    for (const r of results) {
      console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(64)} ${r.detail}`);
      if (r.ok) pass++;
      else fail++;
    }
  }
  await closeHttp();
  console.log(`security: ${pass} passed, ${fail} failed`);
  process.exitCode = fail > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(`security suite failed to run: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
