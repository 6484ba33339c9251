import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { requireStack, serviceEnv } from '@dph/testkit';
import { withTransaction, type Pool } from '@dph/db';
import { createScratchDatabase, type ScratchDatabase } from '@dph/db/testing';
import { objectStoreFromConfig, storageConfigFromEnv, type StorageConfig } from '@dph/storage';
import {
  archiveAuditEvents, exportAuditEvents, insertAuditRows, queryAuditEvents, queryJobAudit, verifyChain, verifyExportManifest,
  type AuditRow,
} from '../src/index.js';

let db: ScratchDatabase;
let admin: Pool, api: Pool, writer: Pool;
let storage: StorageConfig;
let objects: ReturnType<typeof objectStoreFromConfig>;
const jobId = randomUUID();
const runTag = randomUUID().slice(0, 8);

const row = (over: Partial<AuditRow>): AuditRow => ({
  eventId: randomUUID(), jobId: null, tenantScene: 'scene-a', eventType: 'routed', actor: 'system:test', payload: { queue: 'q' },
  traceId: null, occurredAt: new Date(), ...over,
});

before(async () => {
  requireStack();
  db = await createScratchDatabase();
  admin = db.pool('admin');
  api = db.pool('orchestrator-api');
  writer = db.pool('audit-writer');
  storage = storageConfigFromEnv(serviceEnv('audit-writer'));
  objects = objectStoreFromConfig(storage);
  const t0 = Date.now() - 60_000;
  await withTransaction(writer, (c) =>
    insertAuditRows(c, [
      ...Array.from({ length: 5 }, (_, i) => row({ jobId, eventType: 'submitted', actor: 'alice', occurredAt: new Date(t0 + i * 1000) })),
      row({ jobId, tenantScene: 'scene-b', actor: 'alice' }),
      row({ eventType: 'audit_exported', actor: 'alice', payload: { format: 'csv', row_count: 5 } }),
      row({ eventType: 'audit_exported', actor: 'alice', tenantScene: 'scene-b' }),
    ]),
  );
});
after(async () => {
  objects?.close();
  await db?.drop();
});

test('job audit pages through a scene-scoped session with an opaque cursor, no overlap, no other scene', async () => {
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await withTransaction(api, (c) => queryJobAudit(c, jobId, { limit: 2, ...(cursor ? { cursor } : {}) }), { scene: 'scene-a' });
    seen.push(...page.items.map((i) => i.eventId));
    assert.ok(page.items.every((i) => i.tenantScene === 'scene-a'));
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  assert.equal(pages, 3);
  assert.equal(new Set(seen).size, 5);
  await assert.rejects(
    withTransaction(api, (c) => queryAuditEvents(c, {}, { cursor: 'bm90LWEtY3Vyc29y' }), { scene: 'scene-a' }),
    (e: { code?: string; status?: number }) => e.code === 'validation_failed' && e.status === 400,
  );
});

test('filters by event type, actor and time window ("exports by a user in the last 7 days")', async () => {
  const page = await withTransaction(api, (c) =>
    queryAuditEvents(c, { eventType: 'audit_exported', actor: 'alice', since: new Date(Date.now() - 7 * 86_400_000) }), { scene: 'scene-a' });
  assert.deepEqual(page.items.map((i) => [i.eventType, i.tenantScene]), [['audit_exported', 'scene-a']]);
});

test('an export to the audit bucket is SSE-KMS, matches its manifest, and the manifest checks against the chain', async () => {
  const store = objects.store;
  for (const format of ['ndjson', 'csv'] as const) {
    const key = `exports/test-${runTag}/scene-a.${format}.gz`;
    const m = await withTransaction(api, (c) =>
      exportAuditEvents(c, store, { jobId }, { bucket: storage.buckets.audit, key, format, gzip: true }), { scene: 'scene-a', isolation: 'repeatable read' });
    assert.equal(m.rowCount, 5);
    const head = await store.head(storage.buckets.audit, key);
    assert.equal(head.serverSideEncryption, 'aws:kms');
    const { body } = await store.get(storage.buckets.audit, key);
    const chunks: Buffer[] = [];
    for await (const ch of body) chunks.push(ch as Buffer);
    const raw = Buffer.concat(chunks);
    assert.equal(createHash('sha256').update(raw).digest('hex'), m.sha256);
    const text = gunzipSync(raw).toString('utf8').trim().split('\n');
    assert.equal(text.length, format === 'csv' ? 6 : 5);
    if (format === 'ndjson') assert.equal(JSON.parse(text[4]!).hash, m.lastHash);
    else assert.match(text[0]!, /^id,eventId,jobId,tenantScene,eventType,actor,payload,/);
    const manifest = JSON.parse((await (async () => {
      const r = await store.get(storage.buckets.audit, `${key}.manifest.json`);
      const parts: Buffer[] = [];
      for await (const p of r.body) parts.push(p as Buffer);
      return Buffer.concat(parts).toString('utf8');
    })()));
    assert.deepEqual(manifest, m);
    assert.equal(await verifyExportManifest(admin, m), true);
  }
});

test('cold archive: old rows go to a gzip NDJSON object in chain order, recorded, never deleted', async () => {
  const store = objects.store;
  const before = Number((await admin.query('SELECT count(*) AS n FROM audit_events')).rows[0].n);
  const m = await archiveAuditEvents(writer, store, { bucket: storage.buckets.audit, prefix: `archive-test-${runTag}`, olderThanMs: 0, actor: 'system:audit-writer@test' });
  assert.ok(m);
  assert.deepEqual([m.firstId, m.lastId, m.rowCount], ['1', String(before), before]);
  assert.equal(m.firstPrevHash, '0'.repeat(64));
  const rec = await admin.query('SELECT first_id::text, last_id::text, row_count FROM audit_archives');
  assert.deepEqual(rec.rows, [{ first_id: '1', last_id: String(before), row_count: before }]);
  // The run audited itself; the rows archived are still there; the chain is intact.
  const after = Number((await admin.query('SELECT count(*) AS n FROM audit_events')).rows[0].n);
  assert.equal(after, before + 1);
  assert.equal((await admin.query(`SELECT payload->>'kind' AS k FROM audit_events WHERE id = $1`, [after])).rows[0].k, 'cold_archive');
  assert.equal((await verifyChain(admin)).ok, true);
  const next = await archiveAuditEvents(writer, store, { bucket: storage.buckets.audit, prefix: `archive-test-${runTag}`, olderThanMs: 3_600_000, actor: 'system:audit-writer@test' });
  assert.equal(next, null);
});
