import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS_DIR, createClient, runMigrations, withTransaction, type Pool } from '@dph/db';
import { createScratchDatabase } from '@dph/db/testing';
import { appendAuditRows, jsonbText, pgTextArray, verifyChain, type AuditRow } from '../src/index.js';
import { useScratchAudit } from './support/scratch.js';

const s = useScratchAudit(4);

const row = (over: Partial<AuditRow> = {}): AuditRow => ({
  eventId: randomUUID(), jobId: randomUUID(), tenantScene: 'scene-a', eventType: 'pii_hit', actor: 'system:worker-postproc@test',
  payload: { entity_type: 'EMAIL_ADDRESS', start: 3, end: 20, confidence: 0.9 }, traceId: '0af7651916cd43dd8448eb211c80319c',
  occurredAt: new Date(), ...over,
});

/** Payloads whose jsonb text is easy to get wrong: key order, numbers, escapes, non-ASCII. */
const tricky: Record<string, unknown>[] = [
  {},
  { b: 1, a: 2, aa: 3, '': 4, Z: 5, _: 6, '10': 7, '9': 8 },
  { é: 1, e: 2, z: 3, 中文: 4, '😀a': 5, '\uE000ab': 6, ß: 7 },
  { n: [0, -0, 1, -1, 0.1, 0.93, 1.5, 1e21, 1.5e-7, -2.5e-8, 1e-6, 1e-7, 123456789012345680000, 5e-324, 1.7976931348623157e308, 0.30000000000000004] },
  { s: 'quote " backslash \\ nl \n tab \t cr \r bs \b ff \f ctl \u0001\u001f del \u007f ls \u2028 é 中 😀 </script>' },
  { nested: { z: [], y: {}, x: [{ b: null, a: true }, false, 'x'], w: { '': [[]] } } },
];

test('jsonbText is what Postgres prints for the same jsonb value', async () => {
  for (const p of tricky) {
    const mine = jsonbText(p);
    const r = await s.admin.query<{ theirs: string; fixed: boolean }>(
      'SELECT $1::text::jsonb::text AS theirs, $2::text::jsonb::text = $2::text AS fixed', [JSON.stringify(p), mine],
    );
    assert.equal(mine, r.rows[0]!.theirs, JSON.stringify(p));
    assert.equal(r.rows[0]!.fixed, true);
  }
});

test('pgTextArray round-trips any text through a text[] parameter', async () => {
  const values = ['a"b', 'c\\d', null, '', 'NULL', '{x,y}', ' sp ', 'é 中 😀', '\\"', 'tab\tnl\n'];
  const r = await s.admin.query<{ a: (string | null)[] }>('SELECT $1::text[] AS a', [pgTextArray(values)]);
  assert.deepEqual(r.rows[0]!.a, values);
});

test('batches appended by the writer, with tricky payloads, verify; duplicates do not advance the chain', async () => {
  const first = tricky.map((payload) => row({ payload }));
  assert.equal(await appendAuditRows(s.writer, first), first.length);
  // Written by the writer's path, not the trigger fallback: one recorded_at for the batch (the trigger's differ).
  const stamps = await s.admin.query<{ n: number }>('SELECT count(DISTINCT recorded_at)::int AS n FROM audit_events WHERE event_id = ANY($1::uuid[])', [first.map((r) => r.eventId)]);
  assert.equal(stamps.rows[0]!.n, 1);
  const again = [row(), first[0]!, row(), first[2]!];
  const dup = row();
  assert.equal(await appendAuditRows(s.writer, [...again, dup, { ...dup }]), 3);
  assert.equal(await appendAuditRows(s.writer, [first[1]!]), 0);
  const r = await verifyChain(s.admin);
  assert.deepEqual([r.ok, r.rowsChecked], [true, first.length + 3]);
  const ids = await s.admin.query<{ id: string; recorded_at: Date }>('SELECT a.id::text AS id, a.recorded_at FROM audit_events a ORDER BY a.id');
  assert.deepEqual(ids.rows.map((x) => x.id), ids.rows.map((_, i) => String(i + 1)));
});

test('writer batches and trigger-path inserts from several connections at once form one chain', async () => {
  const before = (await verifyChain(s.admin)).rowsChecked;
  const other = s.db.pool('audit-writer', 4);
  const viaTrigger = (pool: Pool) =>
    withTransaction(pool, async (c) => (await c.query(
      `INSERT INTO audit_events (event_id, event_type, actor, payload) SELECT gen_random_uuid(), 'routed', 'x', '{"q": 1}'
         FROM generate_series(1, 25)`,
    )).rowCount ?? 0);
  const work = Array.from({ length: 24 }, (_, i) =>
    i % 3 === 2 ? viaTrigger(i % 2 ? s.writer : other) : appendAuditRows(i % 2 ? s.writer : other, Array.from({ length: 40 }, () => row())),
  );
  const written = (await Promise.all(work)).reduce((a, b) => a + b, 0);
  assert.equal(written, 16 * 40 + 8 * 25);
  const r = await verifyChain(s.admin);
  assert.deepEqual([r.ok, r.rowsChecked], [true, before + written]);
  await other.end();
});

test('a payload the database renders differently is caught at insert and written through the trigger instead', async () => {
  const before = (await verifyChain(s.admin)).rowsChecked;
  // JSON.stringify keeps insertion order; jsonb orders keys by length: the database sees the difference.
  const rows = [row({ payload: { start: 1, end: 2 } }), row()];
  assert.equal(await appendAuditRows(s.writer, rows, { renderPayload: (p) => JSON.stringify(p) }), 2);
  const r = await verifyChain(s.admin);
  assert.deepEqual([r.ok, r.rowsChecked], [true, before + 2]);
});

test('the link guard refuses rows that do not continue the chain, even from the writer role', async () => {
  const last = (await s.admin.query<{ id: string; hash: string }>('SELECT a.id::text AS id, a.hash FROM audit_events a ORDER BY a.id DESC LIMIT 1')).rows[0]!;
  const insert = (id: bigint, prev: string) =>
    withTransaction(s.writer, (c) => c.query(
      `INSERT INTO audit_events (id, event_id, event_type, actor, recorded_at, prev_hash, hash) VALUES ($1, $2, 'routed', 'x', now(), $3, repeat('a', 64))`,
      [id.toString(), randomUUID(), prev],
    ));
  await assert.rejects(insert(BigInt(last.id) + 2n, last.hash), /do not continue the chain/, 'a gap');
  await assert.rejects(insert(BigInt(last.id) + 1n, '0'.repeat(64)), /do not continue the chain/, 'a wrong link');
  assert.equal((await verifyChain(s.admin)).ok, true);
});

test('a chain written by the old trigger before migration 0060 still verifies, and the writer continues it', async () => {
  const fresh = await createScratchDatabase({ migrate: false });
  const older = mkdtempSync(join(tmpdir(), 'dph-migrations-'));
  try {
    for (const f of readdirSync(MIGRATIONS_DIR)) if (/^00[0-5]\d_.*\.sql$/.test(f)) copyFileSync(join(MIGRATIONS_DIR, f), join(older, f));
    const migrator = createClient(fresh.settings('admin'));
    await migrator.connect();
    await runMigrations(migrator, { dir: older });
    const w = fresh.pool('audit-writer');
    const a = fresh.pool('admin');
    await w.query(`INSERT INTO audit_events (event_id, event_type, actor, payload) SELECT gen_random_uuid(), 'routed', 'x', '{"b": 1, "a": [1.50]}'
      FROM generate_series(1, 30)`);
    assert.equal((await a.query(`SELECT 1 FROM pg_trigger WHERE tgname = 'audit_events_link'`)).rowCount, 0, 'still the old triggers');
    assert.ok((await runMigrations(migrator)).applied.some((m) => m.startsWith('0060_')));
    await migrator.end();
    assert.equal(await appendAuditRows(w, Array.from({ length: 20 }, () => row())), 20);
    const r = await verifyChain(a);
    assert.deepEqual([r.ok, r.rowsChecked], [true, 50]);
  } finally {
    rmSync(older, { recursive: true, force: true });
    await fresh.drop();
  }
});
