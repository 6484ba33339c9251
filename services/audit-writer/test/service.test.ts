// The real service against the stack: an event published on dph.audit becomes one audit_events row; a PII canary
// is refused to the DLQ; the chain stays intact. The service runs on its own fresh queue (bound to dph.audit like
// dph.audit.writer) and a scratch database, so a backlog on the shared queue or the shared trail does not matter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startService, waitForStatus, get } from '@dph/lifecycle/testing';
import { requireStack, serviceEnv } from '@dph/testkit';
import type { Pool } from '@dph/db';
import { createScratchDatabase, type ScratchDatabase } from '@dph/db/testing';
import { verifyChain } from '@dph/audit';
import { EXCHANGES, auditBatchRoutingKey, dlqName } from '@dph/contracts';
import type { AmqpConnection } from '@dph/messaging';
import { amqpConnection, auditEvent, publishAll, publishBatches, waitFor } from './support/harness.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
let admin: Pool;
let conn: AmqpConnection;
let db: ScratchDatabase;
const queue = `dph.test.audit.svc.${process.pid}`;
const batchQueue = `${queue}.batches`;

before(async () => {
  requireStack();
  db = await createScratchDatabase();
  admin = db.pool('admin');
  conn = await amqpConnection('audit-writer-service-test');
});
after(async () => {
  if (conn) {
    const ch = await conn.createChannel();
    for (const q of [queue, batchQueue]) {
      await ch.deleteQueue(q).catch(() => undefined);
      await ch.deleteQueue(dlqName(q)).catch(() => undefined);
    }
    await ch.close().catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
  await db?.drop();
});

const dlqDepth = async () => {
  const ch = await conn.createChannel();
  try {
    return (await ch.checkQueue(dlqName(queue))).messageCount;
  } finally {
    await ch.close();
  }
};

test('published audit events become rows (batch messages too); a canary is dead-lettered and counted; SIGTERM exits 0', async () => {
  const svc = await startService(main, {
    ...serviceEnv('audit-writer'), ...db.env('audit-writer'), DPH_AUDIT_QUEUE: queue, DPH_AUDIT_BATCH_QUEUE: batchQueue,
    DPH_HTTP_HOST: '127.0.0.1', DPH_HTTP_PORT: '0', DPH_SERVICE_INSTANCE: 'service-test',
  });
  try {
    await waitForStatus(`http://127.0.0.1:${svc.port}/readyz`);
    const dlqBefore = await dlqDepth();
    const good = auditEvent({ eventType: 'access_denied', jobId: null, actor: 'system:audit-writer-test', payload: { reason: 'scene_not_granted' } });
    const canary = auditEvent({ eventType: 'access_denied', jobId: null, actor: 'system:audit-writer-test', payload: { reason: 'x', note: 'mail canary.test@example.org' } });
    await publishAll(conn, EXCHANGES.audit, [good, canary, good]);
    // A batch message on the real exchange under its own key reaches the batch queue, and each event becomes a row.
    const batch = [1, 2, 3].map(() => auditEvent({ eventType: 'webhook_delivered', payload: { deliveryId: randomUUID(), attempts: 1 } }));
    await publishBatches(conn, EXCHANGES.audit, batch, auditBatchRoutingKey);
    await waitFor(async () => (await admin.query('SELECT 1 FROM audit_events WHERE event_id = ANY($1::uuid[])', [batch.map((e) => e.id)])).rowCount === 3, 60_000);
    await waitFor(async () => (await admin.query('SELECT 1 FROM audit_events WHERE event_id = $1', [good.id])).rowCount === 1, 60_000);
    await waitFor(async () => (await dlqDepth()) >= dlqBefore + 1, 60_000);
    assert.equal((await admin.query('SELECT 1 FROM audit_events WHERE event_id = ANY($1::uuid[])', [[good.id, canary.id]])).rowCount, 1);
    const metrics = (await get(`http://127.0.0.1:${svc.port}/metrics`)).body;
    assert.match(metrics, /dph_audit_events_refused_total\{reason="red_line",service="audit-writer"\} 1/);
    assert.match(metrics, /dph_audit_rows_written_total\{service="audit-writer"\} [1-9]/);
    assert.match(metrics, /# TYPE dph_audit_ingest_lag_seconds histogram/);
    assert.equal((await verifyChain(admin)).ok, true);
  } catch (err) {
    // The service's own log says why (no values: the red line applies to logs too).
    console.error(svc.output().split('\n').slice(-15).join('\n'));
    throw err;
  } finally {
    const code = await svc.stop('SIGTERM');
    assert.equal(code, 0, svc.output());
  }
});
