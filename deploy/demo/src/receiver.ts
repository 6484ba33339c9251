/**
 * The demo's webhook receiver: HTTPS on loopback, verifying every delivery with both signature schemes, the
 * product's verifier and the independent `standardwebhooks` library, deduplicating on `webhook-id`.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@dph/webhooks';
import { Webhook } from 'standardwebhooks';

export interface ReceivedEvent {
  webhookId: string;
  type: string;
  jobId: string;
  status: string;
  verifiedDph: boolean;
  verifiedStandard: boolean;
}

export interface Receiver {
  url: string;
  events: ReceivedEvent[];
  setSecret(secret: string): void;
  close(): Promise<void>;
}

function verifies(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

export async function startReceiver(tls: { cert: Buffer; key: Buffer }): Promise<Receiver> {
  const events: ReceivedEvent[] = [];
  const seen = new Set<string>();
  let secret = '';
  const server: Server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = req.headers as Record<string, string>;
      const verifiedDph = verifies(() => verifyWebhook(headers, body, [secret], { scheme: 'dph' }));
      const verifiedStandard =
        verifies(() => verifyWebhook(headers, body, [secret], { scheme: 'standard' })) &&
        verifies(() => new Webhook(secret).verify(body, headers));
      if (!verifiedDph || !verifiedStandard) {
        res.writeHead(401).end();
        return;
      }
      const id = headers['webhook-id'] ?? '';
      if (!seen.has(id)) {
        seen.add(id);
        const payload = JSON.parse(body) as { type: string; jobId: string; status: string };
        events.push({ webhookId: id, type: payload.type, jobId: payload.jobId, status: payload.status, verifiedDph, verifiedStandard });
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/hooks/dph`,
    events,
    setSecret: (s) => (secret = s),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
