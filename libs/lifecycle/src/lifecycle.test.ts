import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRegistry } from '@dph/telemetry';
import { createOpsServer, Readiness, Shutdown } from './index.js';

async function withServer(checks: Record<string, () => unknown>, fn: (base: string, r: Readiness) => Promise<void>) {
  const ops = createOpsServer({ port: 0, host: '127.0.0.1', registry: createRegistry('ops-test'), readinessChecks: checks, checkTimeoutMs: 100 });
  const port = await ops.listen();
  try {
    await fn(`http://127.0.0.1:${port}`, ops.readiness);
  } finally {
    await ops.close();
  }
}

test('livez 200, readyz 200 with check states, metrics in Prometheus text', async () => {
  await withServer({ postgres: () => true, amqp: async () => undefined }, async (base) => {
    assert.equal((await fetch(`${base}/livez`)).status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { postgres: 'ok', amqp: 'ok' } });
    const metrics = await fetch(`${base}/metrics`);
    assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(await metrics.text(), /service="ops-test"/);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });
});

test('readyz 503 when a check fails or hangs; the body holds states, not error text', async () => {
  await withServer({
    postgres: () => { throw new Error('password authentication failed for user dph_api at 10.0.0.5'); },
    redis: () => new Promise(() => {}),
    s3: () => true,
  }, async (base) => {
    const res = await fetch(`${base}/readyz`);
    assert.equal(res.status, 503);
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), { status: 'not_ready', checks: { postgres: 'failed', redis: 'timeout', s3: 'ok' } });
    assert.doesNotMatch(text, /password|10\.0\.0\.5/);
  });
});

test('readyz 503 while draining', async () => {
  await withServer({ amqp: () => true }, async (base, readiness) => {
    readiness.markDraining();
    const res = await fetch(`${base}/readyz`);
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { status: string }).status, 'draining');
    assert.equal((await fetch(`${base}/livez`)).status, 200);
  });
});

test('shutdown runs every step in order, even after a failure, and reports 1', async () => {
  const readiness = new Readiness();
  const order: string[] = [];
  let code = -1;
  const s = new Shutdown({ timeoutMs: 1000, readiness, exit: (c) => { code = c; } })
    .add('stop-accepting', () => { assert.equal(readiness.draining, true); order.push('a'); })
    .add('cancel-consumers', async () => { order.push('b'); throw new Error('boom'); })
    .add('close-pools', async () => { order.push('c'); });
  assert.equal(await s.run('test'), 1);
  assert.equal(code, 1);
  assert.deepEqual(order, ['a', 'b', 'c']);
  assert.equal(await s.run('again'), 1, 'a second signal does not rerun the steps');
  assert.deepEqual(order, ['a', 'b', 'c']);
});

test('shutdown exits 0 on a clean drain and 1 when the hard timeout passes', async () => {
  const clean = new Shutdown({ timeoutMs: 1000, exit: () => {} }).add('x', async () => {});
  assert.equal(await clean.run(), 0);
  const hung = new Shutdown({ timeoutMs: 50, exit: () => {} }).add('hang', () => new Promise(() => {}));
  assert.equal(await hung.run(), 1);
});
