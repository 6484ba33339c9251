import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { initTracing, getTracer } from './index.js';

test('with OTEL_EXPORTER_OTLP_ENDPOINT set, spans are exported over OTLP/protobuf to <endpoint>/v1/traces', async () => {
  const received: { url: string; type: string; bytes: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', type: String(req.headers['content-type']), bytes: Buffer.concat(chunks).length });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const handle = await initTracing({ service: 'otlp-test', otlpEndpoint: `http://127.0.0.1:${port}/` });
  assert.equal(handle.exporting, true);
  getTracer().startActiveSpan('unit-of-work', (span) => span.end());
  await handle.shutdown();
  server.close();
  assert.equal(received.length >= 1, true);
  assert.equal(received[0]!.url, '/v1/traces');
  assert.equal(received[0]!.type, 'application/x-protobuf');
  assert.ok(received[0]!.bytes > 0);
});
