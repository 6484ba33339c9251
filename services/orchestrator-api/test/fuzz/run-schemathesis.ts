/**
 * Fuzzes the API with schemathesis against its own /openapi.json: the API runs in-process on the real stack with a
 * real OpenID provider, schemathesis gets a valid bearer token for a subject granted the `credit` scene, every
 * check is on and the seed is fixed. Exits with schemathesis's status (0 = zero failures).
 *
 *   node --conditions=development --import tsx services/orchestrator-api/test/fuzz/run-schemathesis.ts [--max-examples N]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startHarness } from '../harness.js';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const args = process.argv.slice(2);
const maxExamples = args.includes('--max-examples') ? args[args.indexOf('--max-examples') + 1]! : '25';

function findSt(): string {
  for (const p of [join(root, '.dph', 'venv', 'bin', 'st'), join(root, '.dph', 'venv-schemathesis', 'bin', 'st')]) if (existsSync(p)) return p;
  return 'st';
}

const h = await startHarness({ limits: { subjectPoints: 1_000_000, scenePoints: 1_000_000 } });
let code: number;
try {
  const key = `fixtures/${randomUUID()}.txt`;
  await h.store.put(h.settings.buckets.raw, key, 'fuzz fixture', { contentType: 'text/plain' });
  const token = await h.token('alice');
  const st = spawn(findSt(), [
    '--config-file', join(import.meta.dirname, 'schemathesis.toml'),
    'run', `${h.url}/openapi.json`,
    '--url', h.url,
    '--checks', 'all',
    '--seed', '20261203',
    '--max-examples', maxExamples,
    '--header', `Authorization: Bearer ${token}`,
    '--workers', '2',
    '--request-timeout', '40',
    // GET /v1/jobs/{id}?wait= long-polls for up to 30 s by design.
    '--max-response-time', '35',
    '--suppress-health-check', 'all',
  ], { stdio: 'inherit', env: { ...process.env, SCHEMATHESIS_HOOKS: '' } });
  code = await new Promise<number>((resolve) => st.on('exit', (c) => resolve(c ?? 1)));
} finally {
  await h.close();
}
process.exit(code);
