// restart/down on a second, private stack folder with shifted ports: proves `down` stops only what that stack
// started, without touching the shared stack other tests are using.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireStack, stackPaths } from '@dph/testkit';

const main = join(import.meta.dirname, '..', 'src', 'main.ts');
const stack = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', main, ...args], { encoding: 'utf8', env, timeout: 120_000 });
/** Running and not a zombie (a stopped daemon may linger as a zombie until init reaps it). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
};

test('restart starts a component of a private stack; down stops it and leaves the shared stack running', () => {
  requireStack();
  const shared = JSON.parse(readFileSync(join(stackPaths().dir, 'state.json'), 'utf8')) as Record<string, { pid: number }>;
  const dir = mkdtempSync(join(tmpdir(), 'dph-stack-life-'));
  const env = { ...process.env, DPH_STACK_DIR: dir, DPH_STACK_PORT_OFFSET: '2000' };
  try {
    const r = stack(['restart', 'redis'], env);
    assert.equal(r.status, 0, r.stderr);
    const st = JSON.parse(stack(['status', '--json'], env).stdout) as { components: Record<string, { state: string; pid: number; port: number }> };
    assert.equal(st.components.redis?.state, 'running');
    assert.equal(st.components.redis?.port, 56379 + 2000);
    assert.equal(st.components.postgres?.state, 'stopped');
    const pid = st.components.redis!.pid;
    assert.notEqual(pid, shared.redis?.pid);
    const d = stack(['down'], env);
    assert.equal(d.status, 0, d.stderr);
    assert.equal(alive(pid), false, 'private redis stopped');
    for (const c of ['postgres', 'rabbitmq', 'redis', 'minio']) assert.ok(alive(shared[c]!.pid), `shared ${c} untouched`);
  } finally {
    stack(['down'], env);
    rmSync(dir, { recursive: true, force: true });
  }
});
