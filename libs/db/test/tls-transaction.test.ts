import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { requireStack, serviceEnv } from '@dph/testkit';
import { checkDatabase, createPool, pgSettingsFromEnv, setTenantScene, withTransaction, type Pool } from '../src/index.js';

let pool: Pool;
before(() => {
  requireStack();
  pool = createPool(pgSettingsFromEnv(serviceEnv('orchestrator-api')), { max: 2 });
});
after(async () => {
  await pool?.end();
  const admin = createPool(pgSettingsFromEnv(serviceEnv('admin')), { max: 1 });
  await admin.query("DELETE FROM jobs WHERE tenant_scene = 'scene-tx' AND business_ref = 'tx-test'");
  await admin.end();
});

test('the pool connects over verified TLS', async () => {
  const r = await pool.query<{ ssl: boolean; version: string }>(
    'SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
  );
  assert.equal(r.rows[0]?.ssl, true);
  assert.match(r.rows[0]!.version, /^TLSv1\.[23]$/);
  assert.deepEqual((await checkDatabase(pool)).ok, true);
});

test('a wrong CA is refused (no unverified fallback)', async () => {
  const env = serviceEnv('orchestrator-api');
  const s = { ...pgSettingsFromEnv(env), ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' };
  const bad = createPool(s, { max: 1, connectionTimeoutMillis: 3000 });
  const h = await checkDatabase(bad, 3000);
  await bad.end();
  assert.equal(h.ok, false);
});

test('withTransaction commits on success and rolls back on throw; the scene is transaction-local', async () => {
  const jobId = randomUUID();
  const insert = (c: { query: Pool['query'] }) =>
    c.query(
      `INSERT INTO jobs (job_id, tenant_scene, business_ref, source_type, submit_by) VALUES ($1, 'scene-tx', 'tx-test', 'direct_upload', 'tester')`,
      [jobId],
    );
  await assert.rejects(
    withTransaction(pool, async (c) => {
      await insert(c);
      throw new Error('boom');
    }, { scene: 'scene-tx' }),
    /boom/,
  );
  const seen = await withTransaction(pool, (c) => c.query('SELECT 1 FROM jobs WHERE job_id = $1', [jobId]), { scene: 'scene-tx' });
  assert.equal(seen.rowCount, 0);
  await withTransaction(pool, insert, { scene: 'scene-tx' });
  // Next checkout: no scene carried over, so the API role sees nothing.
  const leaked = await pool.query('SELECT 1 FROM jobs WHERE job_id = $1', [jobId]);
  assert.equal(leaked.rowCount, 0);
  const mine = await withTransaction(pool, (c) => c.query('SELECT 1 FROM jobs WHERE job_id = $1', [jobId]), { scene: 'scene-tx' });
  assert.equal(mine.rowCount, 1);
});

test('setTenantScene rejects a malformed scene before it reaches SQL', async () => {
  const c = await pool.connect();
  try {
    await assert.rejects(setTenantScene(c, "a' OR true --"), (e: { code?: string }) => e.code === 'validation_failed');
  } finally {
    c.release();
  }
});
