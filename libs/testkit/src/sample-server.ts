import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
/** A document served as if from a customer's presigned download URL. */
export interface ServedDocument {
  contentType: string;
  body: Buffer;
}

/** Serves samples over HTTPS on loopback, standing in for a customer's presigned download URL. */
export async function startSampleServer<T extends ServedDocument>(tls: { cert: Buffer; key: Buffer }, samples: T[]): Promise<{ urlOf(s: T): string; close(): Promise<void> }> {
  const byPath = new Map(samples.map((s, i) => [`/download/${i}`, s]));
  const server: Server = createServer(tls, (req, res) => {
    const s = byPath.get((req.url ?? '').split('?')[0] ?? '');
    if (!s) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': s.contentType, 'content-length': s.body.length }).end(s.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    urlOf: (s) => `https://127.0.0.1:${port}/download/${samples.indexOf(s)}?X-Demo-Signature=synthetic`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
