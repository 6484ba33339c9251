import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixture-service.ts', import.meta.url));

async function runUntilListening(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', fixture], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d; });
  while (!/listening \d+/.test(out)) await once(child.stdout, 'data');
  return { child, out: () => out };
}

test('SIGTERM drains in-flight work and exits 0', async () => {
  const { child, out } = await runUntilListening({});
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.match(out(), /drained/);
});

test('a step that never finishes hits the hard timeout: exit 1', async () => {
  const { child } = await runUntilListening({ FIXTURE_HANG: '1', FIXTURE_TIMEOUT_MS: '300' });
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 1);
});
