import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { CheckResult } from '../check.js';

/** Runs the API's schemathesis fuzz pass (every check, fixed seed, a valid token); zero failures passes. */
export function schemathesisCheck(root: string): CheckResult {
  const runner = join(root, 'services/orchestrator-api/test/fuzz/run-schemathesis.ts');
  const r = spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', runner], { cwd: root, encoding: 'utf8', timeout: 15 * 60_000 });
  const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
  return { name: 'schemathesis: /openapi.json, all checks, fixed seed', ok: r.status === 0, detail: `exit ${r.status}; ${tail.slice(0, 160)}` };
}
