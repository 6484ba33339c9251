/** Runs the audit ingest against the database and queue named in the environment until killed. */
import { createPool, pgSettingsFromEnv } from '@dph/db';
import { AuditIngest } from '../../src/ingest/batch-consumer.js';
import { createRedLineScan } from '../../src/domain/pii-scan.js';
import { amqpConnection } from './harness.js';

const pool = createPool(pgSettingsFromEnv(process.env), { max: 2 });
const conn = await amqpConnection('audit-ingest-child');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const ingest = new AuditIngest({
  connection: conn,
  pool,
  queue: process.env.INGEST_QUEUE!,
  batchSize: Number(process.env.INGEST_BATCH ?? 500),
  prefetch: 2000,
  scan: createRedLineScan(),
  log: quiet,
});
await ingest.start();
process.stdout.write('ingest started\n');
process.on('SIGTERM', () => {
  void ingest.stop().then(() => conn.close()).then(() => pool.end()).then(() => process.exit(0));
});
