/**
 * A recording webhook receiver for the suites: unlike the demo's, it keeps every delivery (duplicates included)
 * with its arrival time, so the fault suite can count duplicates by `webhook-id` and the benchmark can measure
 * submit-to-webhook latency. Each delivery is verified with both schemes: the product's verifier (DPH and
 * Standard Webhooks) and the independent `standardwebhooks` library.
 */
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@dph/webhooks';
import { Webhook } from 'standardwebhooks';

export interface Delivery {
  webhookId: string;
  receivedAt: number;
  type: string;
  jobId: string;
  status: string;
  verifiedDph: boolean;
  verifiedStandard: boolean;
  headers: Record<string, string>;
  body: string;
}

export interface RecordingReceiver {
  url: string;
  deliveries: Delivery[];
  /** Deliveries whose signatures did not verify (answered 401). */
  rejected: number;
  addSecret(secret: string): void;
  /** Called on every verified delivery, as it arrives. */
  onDelivery?: (d: Delivery) => void;
  close(): Promise<void>;
}

const ok = (f: () => unknown): boolean => {
  try {
    f();
    return true;
  } catch {
    return false;
  }
};

export async function startRecordingReceiver(opts: { tls?: { cert: Buffer; key: Buffer } } = {}): Promise<RecordingReceiver> {
  const secrets: string[] = [];
  const r: RecordingReceiver = {
    url: '',
    deliveries: [],
    rejected: 0,
    addSecret: (s) => void secrets.push(s),
    close: async () => undefined,
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const receivedAt = Date.now();
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = req.headers as Record<string, string>;
      const verifiedDph = ok(() => verifyWebhook(headers, body, secrets, { scheme: 'dph' }));
      const verifiedStandard =
        ok(() => verifyWebhook(headers, body, secrets, { scheme: 'standard' })) &&
        secrets.some((s) => ok(() => new Webhook(s).verify(body, headers)));
      if (!verifiedDph || !verifiedStandard) {
        r.rejected++;
        res.writeHead(401).end();
        return;
      }
      let payload: { type?: string; jobId?: string; status?: string } = {};
      try {
        payload = JSON.parse(body) as typeof payload;
      } catch {
        /* recorded with empty fields */
      }
      const d: Delivery = {
        webhookId: headers['webhook-id'] ?? '',
        receivedAt,
        type: payload.type ?? '',
        jobId: payload.jobId ?? '',
        status: payload.status ?? '',
        verifiedDph,
        verifiedStandard,
        headers,
        body,
      };
      r.deliveries.push(d);
      r.onDelivery?.(d);
      res.writeHead(204).end();
    });
  };
  const server = opts.tls ? createHttps({ cert: opts.tls.cert, key: opts.tls.key }, handler) : createHttp(handler);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as AddressInfo;
  r.url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}/hooks/e2e`;
  r.close = () =>
    new Promise((res) => {
      server.closeAllConnections?.();
      server.close(() => res());
    });
  return r;
}
