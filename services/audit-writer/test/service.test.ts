// The real service against the stack: an event published on dph.audit becomes one audit_events row; a PII canary
// is refused to dph.audit.writer.dlq and counted; the chain stays intact.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startService, waitForStatus, get } from '@dph/lifecycle/testing';
import { requireStack, serviceEnv } from '@dph/testkit';
import { createPool, pgSettingsFromEnv, type Pool } from '@dph/db';
import { verifyChain } from '@dph/audit';
import { EXCHANGES, QUEUES, dlqName } from '@dph/contracts';
import type { AmqpConnection } from '@dph/messaging';
import { amqpConnection, auditEvent, publishAll, waitFor } from './support/harness.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
let admin: Pool;
let conn: AmqpConnection;

before(async () => {
  requireStack();
  admin = createPool(pgSettingsFromEnv(serviceEnv('admin')), { max: 2 });
  conn = await amqpConnection('audit-writer-service-test');
});
after(async () => {
  await conn?.close().catch(() => undefined);
  await admin?.end();
});

const dlqDepth = async () => {
  const ch = await conn.createChannel();
  try {
    return (await ch.checkQueue(dlqName(QUEUES.audit))).messageCount;
  } finally {
    await ch.close();
  }
};

test('published audit events become rows; a canary is dead-lettered and counted; SIGTERM exits 0', async () => {
  const svc = await startService(main, {
    ...serviceEnv('audit-writer'), DPH_HTTP_HOST: '127.0.0.1', DPH_HTTP_PORT: '0', DPH_SERVICE_INSTANCE: 'service-test',
  });
  try {
    await waitForStatus(`http://127.0.0.1:${svc.port}/readyz`);
    const dlqBefore = await dlqDepth();
    const good = auditEvent({ eventType: 'access_denied', jobId: null, actor: 'system:audit-writer-test', payload: { reason: 'scene_not_granted' } });
    const canary = auditEvent({ eventType: 'access_denied', jobId: null, actor: 'system:audit-writer-test', payload: { reason: 'x', note: 'mail canary.test@example.org' } });
    await publishAll(conn, EXCHANGES.audit, [good, canary, good]);
    await waitFor(async () => (await admin.query('SELECT 1 FROM audit_events WHERE event_id = $1', [good.id])).rowCount === 1, 20_000);
    await waitFor(async () => (await dlqDepth()) >= dlqBefore + 1, 20_000);
    assert.equal((await admin.query('SELECT 1 FROM audit_events WHERE event_id = ANY($1::uuid[])', [[good.id, canary.id]])).rowCount, 1);
    const metrics = (await get(`http://127.0.0.1:${svc.port}/metrics`)).body;
    // The stack's own audit-writer may take some of these events (competing consumers), so only the series'
    // presence is checked here; the DLQ depth above proves the refusal.
    assert.match(metrics, /# TYPE dph_audit_events_refused_total counter/);
    assert.match(metrics, /# TYPE dph_audit_ingest_lag_seconds histogram/);
    assert.equal((await verifyChain(admin)).ok, true);
  } finally {
    const code = await svc.stop('SIGTERM');
    assert.equal(code, 0, svc.output());
  }
});
