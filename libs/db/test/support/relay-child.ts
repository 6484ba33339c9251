/**
 * Runs an OutboxRelay against the database named in the environment until killed. The outbox test starts it as
 * a child process and SIGKILLs it in the middle of the backlog.
 */
import { createClient, createPool, OutboxRelay, pgSettingsFromEnv } from '../../src/index.js';
import { connectTestPublisher } from './amqp-publisher.js';

const settings = pgSettingsFromEnv(process.env);
const pool = createPool(settings, { max: 2 });
const publisher = await connectTestPublisher();
const relay = new OutboxRelay({
  pool,
  publisher,
  listenClient: () => createClient(settings),
  batchSize: Number(process.env.RELAY_BATCH ?? 100),
  pollIntervalMs: 200,
  metrics: { published: (n) => n > 0 && process.stdout.write(`published ${n}\n`) },
});
relay.start();
process.stdout.write('relay started\n');
process.on('SIGTERM', () => {
  void relay.stop().then(() => publisher.close()).then(() => pool.end()).then(() => process.exit(0));
});
