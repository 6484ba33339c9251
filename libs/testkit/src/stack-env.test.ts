// Unit tests of the env-file reading on a scratch folder (DPH_STACK_DIR), independent of the running stack.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireStack, serviceEnv, stackEnv, stackRunning } from './index.js';

const saved = process.env.DPH_STACK_DIR;
let dir: string | undefined;
afterEach(() => {
  if (saved === undefined) delete process.env.DPH_STACK_DIR;
  else process.env.DPH_STACK_DIR = saved;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function scratch(env: string, state?: object): void {
  dir = mkdtempSync(join(tmpdir(), 'dph-testkit-'));
  writeFileSync(join(dir, 'stack.env'), env);
  if (state) writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
  process.env.DPH_STACK_DIR = dir;
}

const ENV = [
  '# comment',
  'DPH_PG_HOST=127.0.0.1',
  'DPH_AMQP_URL=amqps://u:p@127.0.0.1:1/%2F',
  'DPH_PG_USER__WORKER_POSTPROC=dph_worker',
  'DPH_PG_PASSWORD__WORKER_POSTPROC=pw=with=equals',
  'DPH_PG_USER__ADMIN=dph_admin',
  'DPH_PG_PASSWORD__ADMIN=adminpw',
  'DPH_MINIO_ROOT_USER=root',
  '',
].join('\n');

test('stackEnv returns the common variables only; serviceEnv adds that role', () => {
  scratch(ENV);
  assert.deepEqual(stackEnv(), { DPH_PG_HOST: '127.0.0.1', DPH_AMQP_URL: 'amqps://u:p@127.0.0.1:1/%2F' });
  const w = serviceEnv('worker-postproc');
  assert.equal(w.DPH_PG_USER, 'dph_worker');
  assert.equal(w.DPH_PG_PASSWORD, 'pw=with=equals');
  assert.equal(serviceEnv('admin').DPH_PG_USER, 'dph_admin');
});

test('a service without credentials in the file is a clear stack error', () => {
  scratch(ENV);
  assert.throws(() => serviceEnv('audit-writer'), { code: 'stack_not_running', message: /npm run stack -- up/ });
});

test('requireStack: missing env file, missing state, and dead pids all say how to bring the stack up', () => {
  dir = mkdtempSync(join(tmpdir(), 'dph-testkit-'));
  process.env.DPH_STACK_DIR = dir;
  assert.throws(() => requireStack(), { code: 'stack_not_running', message: /stack\.env missing.*npm run stack -- up/ });
  writeFileSync(join(dir, 'stack.env'), ENV);
  assert.throws(() => requireStack(), /no state\.json/);
  writeFileSync(join(dir, 'state.json'), JSON.stringify({ postgres: { pid: process.pid }, rabbitmq: { pid: 2 ** 22 + 12345 } }));
  assert.throws(() => requireStack(), /rabbitmq, redis, minio not running/);
  assert.equal(stackRunning(), false);
  const me = { pid: process.pid };
  writeFileSync(join(dir, 'state.json'), JSON.stringify({ postgres: me, rabbitmq: me, redis: me, minio: me }));
  assert.doesNotThrow(() => requireStack());
  assert.equal(stackRunning(), true);
});
