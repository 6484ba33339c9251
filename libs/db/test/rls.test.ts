import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { requireStack } from '@dph/testkit';
import { ALL_SCENES, withTransaction, type Pool } from '../src/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../src/testing/index.js';

let db: ScratchDatabase;
let admin: Pool, api: Pool, worker: Pool, writer: Pool;
const jobA = randomUUID();
const jobB = randomUUID();

before(async () => {
  requireStack();
  db = await createScratchDatabase();
  admin = db.pool('admin');
  api = db.pool('orchestrator-api');
  worker = db.pool('worker-postproc');
  writer = db.pool('audit-writer');
  for (const [id, scene] of [[jobA, 'scene-a'], [jobB, 'scene-b']] as const) {
    await admin.query(
      `INSERT INTO jobs (job_id, tenant_scene, business_ref, source_type, submit_by) VALUES ($1, $2, 'r', 'direct_upload', 'u')`,
      [id, scene],
    );
    await admin.query(
      `INSERT INTO audit_events (event_id, job_id, tenant_scene, event_type, actor) VALUES ($1, $2, $3, 'submitted', 'u')`,
      [randomUUID(), id, scene],
    );
  }
});
after(async () => {
  await db?.drop();
});

const scenesSeen = async (pool: Pool, table: string, scene?: string) =>
  withTransaction(pool, async (c) => {
    const r = await c.query<{ tenant_scene: string }>(`SELECT tenant_scene FROM ${table} ORDER BY tenant_scene`);
    return r.rows.map((x) => x.tenant_scene);
  }, scene === undefined ? {} : { scene });

test('the API role scoped to scene A sees no row of scene B', async () => {
  assert.deepEqual(await scenesSeen(api, 'jobs', 'scene-a'), ['scene-a']);
  assert.deepEqual(await scenesSeen(api, 'audit_events', 'scene-a'), ['scene-a']);
  assert.deepEqual(await scenesSeen(api, 'jobs', 'scene-b'), ['scene-b']);
});

test('the API role sees nothing without a scene and cannot widen itself with the system scope', async () => {
  assert.deepEqual(await scenesSeen(api, 'jobs'), []);
  assert.deepEqual(await scenesSeen(api, 'jobs', ALL_SCENES), []);
});

test('the API role cannot write a row into another scene', async () => {
  await assert.rejects(
    withTransaction(api, (c) =>
      c.query(`INSERT INTO jobs (job_id, tenant_scene, business_ref, source_type, submit_by) VALUES ($1, 'scene-b', 'r', 'direct_upload', 'u')`, [randomUUID()]),
    { scene: 'scene-a' }),
    (e: { code?: string }) => e.code === '42501',
  );
  const updated = await withTransaction(api, (c) =>
    c.query(`UPDATE jobs SET status = 'cancelled' WHERE job_id = $1 AND status = 'queued'`, [jobB]), { scene: 'scene-a' });
  assert.equal(updated.rowCount, 0);
});

test('system roles see every scene by default and one scene when they set it', async () => {
  assert.deepEqual(await scenesSeen(worker, 'jobs'), ['scene-a', 'scene-b']);
  assert.deepEqual(await scenesSeen(worker, 'jobs', 'scene-b'), ['scene-b']);
  assert.deepEqual(await scenesSeen(writer, 'audit_events', ALL_SCENES), ['scene-a', 'scene-b']);
});

test('least privilege: the API cannot touch the audit trail, the worker cannot create jobs', async () => {
  await assert.rejects(
    withTransaction(api, (c) => c.query(`INSERT INTO audit_events (event_id, tenant_scene, event_type, actor) VALUES ($1, 'scene-a', 'submitted', 'x')`, [randomUUID()]), { scene: 'scene-a' }),
    (e: { code?: string }) => e.code === '42501',
  );
  await assert.rejects(
    worker.query(`INSERT INTO jobs (job_id, tenant_scene, business_ref, source_type, submit_by) VALUES ($1, 'scene-a', 'r', 'direct_upload', 'u')`, [randomUUID()]),
    (e: { code?: string }) => e.code === '42501',
  );
  await assert.rejects(worker.query(`UPDATE jobs SET tenant_scene = 'scene-b' WHERE job_id = $1`, [jobA]), (e: { code?: string }) => e.code === '42501');
});

test('job transitions only move forward', async () => {
  const ok = await worker.query(`UPDATE jobs SET status = 'parsing' WHERE job_id = $1 AND status = 'queued' RETURNING started_at`, [jobA]);
  assert.equal(ok.rowCount, 1);
  assert.ok(ok.rows[0].started_at instanceof Date);
  await assert.rejects(worker.query(`UPDATE jobs SET status = 'queued' WHERE job_id = $1`, [jobA]), (e: { code?: string }) => e.code === '23514');
  await worker.query(`UPDATE jobs SET status = 'postproc' WHERE job_id = $1`, [jobA]);
  const done = await worker.query(`UPDATE jobs SET status = 'succeeded' WHERE job_id = $1 RETURNING finished_at`, [jobA]);
  assert.ok(done.rows[0].finished_at instanceof Date);
  await assert.rejects(worker.query(`UPDATE jobs SET status = 'failed' WHERE job_id = $1`, [jobA]), (e: { code?: string }) => e.code === '23514');
});

test('every SECURITY DEFINER function pins its search_path', async () => {
  const { rows } = await admin.query<{ fn: string; config: string[] | null }>(
    `SELECT p.oid::regprocedure::text AS fn, p.proconfig AS config
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND p.prosecdef`,
  );
  assert.ok(rows.length >= 2, 'the audit chain triggers are SECURITY DEFINER');
  for (const r of rows) assert.ok((r.config ?? []).includes('search_path=pg_catalog, public'), `${r.fn}: ${JSON.stringify(r.config)}`);
});
