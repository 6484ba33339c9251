// Test-only helpers shared through @dph/webhooks/testing: a scripted HTTP(S) webhook receiver on loopback.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  status: number;
}

export type Responder = (req: { path: string; body: string; n: number }) => { status: number; headers?: Record<string, string>; body?: string; delayMs?: number };

/** A real loopback webhook receiver whose answers a test scripts per path. */
export class TestReceiver {
  readonly received: Received[] = [];
  private readonly scripts = new Map<string, Responder>();
  private readonly counts = new Map<string, number>();
  private server!: http.Server;

  static async start(tls?: { cert: string; key: string }): Promise<TestReceiver> {
    const r = new TestReceiver();
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0]!;
        const n = (r.counts.get(path) ?? 0) + 1;
        r.counts.set(path, n);
        const body = Buffer.concat(chunks).toString('utf8');
        const responder: Responder = r.scripts.get(path) ?? (() => ({ status: 200 }));
        const out = responder({ path, body, n });
        const send = () => {
          r.received.push({ path, headers: req.headers, body, at: Date.now(), status: out.status });
          res.writeHead(out.status, out.headers ?? {}).end(out.body ?? '');
        };
        if (out.delayMs) setTimeout(send, out.delayMs);
        else send();
      });
    };
    r.server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
    r.server.keepAliveTimeout = 10_000;
    await new Promise<void>((res) => r.server.listen(0, '127.0.0.1', res));
    return r;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  script(path: string, responder: Responder): void {
    this.scripts.set(path, responder);
  }

  /** Requests that arrived on a path (counted on arrival, before any scripted delay). */
  arrived(path: string): number {
    return this.counts.get(path) ?? 0;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async waitFor(pred: () => boolean, timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > end) throw new Error('timed out waiting for the receiver');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections?.();
    return new Promise((r) => this.server.close(() => r()));
  }
}
