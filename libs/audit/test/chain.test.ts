import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { withTransaction, type Pool } from '@dph/db';
import { createScratchDatabase } from '@dph/db/testing';
import { AUDIT_ROW_TEXT_COLUMNS, canonicalAuditText, verifyChain, type AuditRowText } from '../src/index.js';
import { useScratchAudit } from './support/scratch.js';

const s = useScratchAudit();

const insertBatch = (pool: Pool, n: number, extra: { eventIds?: string[] } = {}) =>
  withTransaction(pool, async (c) => {
    const ids = extra.eventIds ?? Array.from({ length: n }, () => randomUUID());
    const r = await c.query(
      `INSERT INTO audit_events (event_id, job_id, tenant_scene, event_type, actor, payload, trace_id, created_at)
       SELECT e, NULL, 'scene-a', 'pii_hit', 'system:worker-postproc@test',
              jsonb_build_object('entity_type', 'EMAIL_ADDRESS', 'start', i, 'end', i + 5, 'note', 'é – 中文'),
              '0af7651916cd43dd8448eb211c80319c', now()
         FROM unnest($1::uuid[]) WITH ORDINALITY AS t(e, i)
       ON CONFLICT (event_id) DO NOTHING`,
      [ids],
    );
    return r.rowCount ?? 0;
  });

test('the writer role appends, the chain verifies, and JS recomputes exactly the trigger text', async () => {
  assert.equal(await insertBatch(s.writer, 49), 49);
  await s.writer.query(
    `INSERT INTO audit_events (event_id, event_type, actor, payload, created_at) VALUES ($1, 'audit_exported', 'ü', '{"z": [1.50, {"b": null, "a": "\\u00e9"}]}', '2026-01-02T03:04:05.000007Z')`,
    [randomUUID()],
  );
  const r = await verifyChain(s.admin);
  assert.equal(r.ok, true);
  assert.equal(r.rowsChecked, 50);
  const row = (await s.admin.query<AuditRowText & { sql_text: string }>(
    `SELECT ${AUDIT_ROW_TEXT_COLUMNS}, dph_audit_canonical(id, event_id, job_id, tenant_scene, event_type, actor, payload,
            trace_id, created_at, recorded_at, prev_hash) AS sql_text FROM audit_events WHERE id = 7`,
  )).rows[0]!;
  assert.equal(canonicalAuditText(row), row.sql_text);
});

test('the writer role cannot UPDATE, DELETE or TRUNCATE; the superuser is stopped by the triggers', async () => {
  for (const sql of ["UPDATE audit_events SET actor = 'x'", 'DELETE FROM audit_events', 'TRUNCATE audit_events']) {
    await assert.rejects(s.writer.query(sql), (e: { code?: string }) => e.code === '42501', sql);
  }
  await assert.rejects(s.admin.query("UPDATE audit_events SET actor = 'x' WHERE id = 1"), /append-only/);
  await assert.rejects(s.admin.query('DELETE FROM audit_events WHERE id = 1'), /append-only/);
  await assert.rejects(s.admin.query('TRUNCATE audit_events'), /append-only/);
});

test('duplicates are written once and leave the chain intact', async () => {
  const ids = [randomUUID(), randomUUID()];
  assert.equal(await insertBatch(s.writer, 0, { eventIds: [...ids, ids[0]!] }), 2);
  assert.equal(await insertBatch(s.writer, 0, { eventIds: ids }), 0);
  assert.equal((await verifyChain(s.admin)).ok, true);
});

test('several writer replicas at once still make one unbroken chain', async () => {
  const before = (await verifyChain(s.admin)).rowsChecked;
  const other = s.db.pool('audit-writer', 8);
  const work = Array.from({ length: 24 }, (_, i) => insertBatch(i % 2 ? s.writer : other, 40));
  const written = (await Promise.all(work)).reduce((a, b) => a + b, 0);
  const r = await verifyChain(s.admin);
  assert.equal(written, 24 * 40);
  assert.equal(r.ok, true);
  assert.equal(r.rowsChecked, before + written);
});

test('a REPEATABLE READ insert is refused (its snapshot could miss the previous link)', async () => {
  await assert.rejects(
    withTransaction(s.writer, (c) =>
      c.query(`INSERT INTO audit_events (event_id, event_type, actor) VALUES ($1, 'routed', 'x')`, [randomUUID()]),
    { isolation: 'repeatable read' }),
    /READ COMMITTED/,
  );
});

/** Superuser tampering with the triggers switched off (session_replication_role = replica). */
async function tamper(sql: string, params: unknown[] = []): Promise<void> {
  await withTransaction(s.admin, async (c) => {
    await c.query('SET LOCAL session_replication_role = replica');
    await c.query(sql, params);
  });
}

test('superuser tampering is found, with the first broken link named', async (t) => {
  const clean = await verifyChain(s.admin);
  assert.equal(clean.ok, true);

  await t.test('an edited payload breaks that row\'s hash', async () => {
    await tamper(`UPDATE audit_events SET payload = payload || '{"start": 999}' WHERE id = 20`);
    const r = await verifyChain(s.admin);
    assert.equal(r.ok, false);
    assert.equal(r.firstBreak?.check, 'hash');
    assert.equal(r.firstBreak?.id, '20');
    assert.match(r.firstBreak!.eventId!, /^[0-9a-f-]{36}$/);
    assert.equal(r.rowsChecked, 19);
  });

  await t.test('re-hashing the edited row moves the break to the next row\'s prev_hash', async () => {
    await tamper(`UPDATE audit_events SET hash = encode(sha256(convert_to(dph_audit_canonical(id, event_id, job_id,
      tenant_scene, event_type, actor, payload, trace_id, created_at, recorded_at, prev_hash), 'UTF8')), 'hex') WHERE id = 20`);
    const r = await verifyChain(s.admin);
    assert.deepEqual([r.firstBreak?.check, r.firstBreak?.id], ['prev_hash', '21']);
  });

  await t.test('a deleted row is a gap in the sequence', async () => {
    await tamper('DELETE FROM audit_events WHERE id IN (20)');
    const r = await verifyChain(s.admin);
    assert.deepEqual([r.firstBreak?.check, r.firstBreak?.id], ['sequence', '21']);
  });
});

test('rows removed from the end are found through the chain head', async () => {
  const fresh = await createScratchDatabase();
  try {
    const w = fresh.pool('audit-writer');
    const a = fresh.pool('admin');
    await insertBatch(w, 10);
    assert.equal((await verifyChain(a)).ok, true);
    await withTransaction(a, async (c) => {
      await c.query('SET LOCAL session_replication_role = replica');
      await c.query('DELETE FROM audit_events WHERE id > 8');
    });
    const r = await verifyChain(a);
    assert.deepEqual([r.ok, r.firstBreak?.check, r.rowsChecked], [false, 'head', 8]);
  } finally {
    await fresh.drop();
  }
});

test("the seed's three queries run as written", async () => {
  const jobId = randomUUID();
  await withTransaction(s.writer, (c) =>
    c.query(
      `INSERT INTO audit_events (event_id, job_id, tenant_scene, event_type, actor, payload) VALUES
        ($1, $4, 'scene-a', 'submitted', 'alice', '{}'),
        ($2, $4, 'scene-a', 'pii_hit', 'system:worker-postproc@w1', '{"entity_type": "PHONE_NUMBER", "start": 1, "end": 12}'),
        ($3, NULL, 'scene-a', 'audit_exported', 'alice', '{"format": "ndjson", "row_count": 3}')`,
      [randomUUID(), randomUUID(), randomUUID(), jobId],
    ),
  );
  const byJob = await s.admin.query(`SELECT * FROM audit_events WHERE job_id = '${jobId}' ORDER BY created_at`);
  assert.deepEqual(byJob.rows.map((r) => r.event_type), ['submitted', 'pii_hit']);
  const pii = await s.admin.query(`SELECT payload->>'entity_type' AS entity, COUNT(*)
    FROM audit_events
    WHERE event_type = 'pii_hit' AND created_at > NOW() - INTERVAL '24 hours'
    GROUP BY entity`);
  const counts = Object.fromEntries(pii.rows.map((r) => [r.entity, Number(r.count)]));
  assert.equal(counts.PHONE_NUMBER, 1);
  assert.ok(counts.EMAIL_ADDRESS >= 1000);
  const exports = await s.admin.query(`SELECT * FROM audit_events
    WHERE event_type = 'audit_exported' AND actor = 'alice' AND created_at > NOW() - INTERVAL '7 days'`);
  assert.equal(exports.rowCount, 1);
});
