import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { parseKey } from '@dph/webhooks';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceEnv, stackEnv } from '@dph/testkit';
import { ConfirmPublisher, connectAmqp, encodeEvent } from '@dph/messaging';
import { EXCHANGES, type CloudEvent, type JobEventData } from '@dph/contracts';

export const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/**
 * The sealing key shared by the test (to create subscriptions) and the dispatcher it starts: the stack's own key
 * when it has one, so the stack's dispatcher (which shares the event queue and the database) can open them too;
 * otherwise a throwaway key.
 */
export function keyFile(): { path: string; key: Buffer } {
  const stackKey = stackEnv().DPH_WEBHOOK_SECRET_KEY_FILE;
  if (stackKey) return { path: stackKey, key: parseKey(readFileSync(stackKey)) };
  const dir = mkdtempSync(join(tmpdir(), 'dph-dispatcher-'));
  const key = randomBytes(32);
  const path = join(dir, 'webhook.key');
  writeFileSync(path, key.toString('base64'), { mode: 0o600 });
  return { path, key };
}

export function dispatcherEnv(keyPath: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...serviceEnv('webhook-dispatcher'),
    DPH_HTTP_HOST: '127.0.0.1',
    DPH_HTTP_PORT: '0',
    DPH_SERVICE_INSTANCE: `test-${randomBytes(3).toString('hex')}`,
    DPH_WEBHOOK_SECRET_KEY_FILE: keyPath,
    DPH_EGRESS_ALLOW_CIDRS: '127.0.0.0/8,::1',
    DPH_ENV: 'development',
    DPH_LOG_LEVEL: 'info',
    ...extra,
  };
}

export function jobEvent(scene: string, jobId: string, status: string): CloudEvent<JobEventData> {
  return {
    specversion: '1.0', id: randomUUID(), source: 'test', type: `dph.job.${status}`, time: new Date().toISOString(),
    subject: jobId, datacontenttype: 'application/json',
    data: { jobId, status, tenantScene: scene, businessRef: 'ref', occurredAt: new Date().toISOString() },
  };
}

/** Publishes job events on dph.events the way the outbox relay does (confirmed, job.<status>). */
export async function eventPublisher() {
  const conn = await connectAmqp({ url: stackEnv().DPH_AMQP_URL!, caFile: stackEnv().DPH_TLS_CA_FILE! });
  const pub = new ConfirmPublisher(conn);
  return {
    async publish(e: CloudEvent<JobEventData>) {
      await pub.publish({ exchange: EXCHANGES.events, routingKey: `job.${e.data.status}`, body: encodeEvent(e), headers: {}, messageId: e.id });
    },
    close: () => conn.close(),
  };
}
