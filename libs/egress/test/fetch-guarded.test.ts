import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { fetchGuarded, createGuardedAgent, EgressDeniedError } from '../src/index.js';
import { isDphError } from '@dph/errors';
import { makeTestTls } from '../testing/tls-fixture.js';

const seen: Array<{ path: string | undefined; host: string | undefined; remote: string | undefined }> = [];
const server = http.createServer((req, res) => {
  seen.push({ path: req.url, host: req.headers.host, remote: req.socket.localAddress });
  if (req.url === '/redirect') {
    res.writeHead(302, { location: `http://127.0.0.1:${port()}/secret` }).end();
  } else if (req.url === '/big') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    // No content-length: the cap must apply while streaming.
    for (let i = 0; i < 64; i++) res.write(Buffer.alloc(1024, 1));
    res.end();
  } else if (req.url === '/slow') {
    setTimeout(() => res.end('late'), 2_000).unref();
  } else {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
  }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = () => (server.address() as AddressInfo).port;
after(() => server.close());

const loopback = { allowCidrs: '127.0.0.0/8', allowHttp: true, maxBytes: 10_000, timeoutMs: 5_000 };

test('loopback is refused without the allowlist even in development', async () => {
  await assert.rejects(
    fetchGuarded(`http://127.0.0.1:${port()}/`, { ...loopback, allowCidrs: undefined }),
    (e: unknown) => e instanceof EgressDeniedError && e.reason === 'loopback',
  );
});

test('allowlisted loopback fetch works; http refused outside development', async () => {
  const res = await fetchGuarded(`http://127.0.0.1:${port()}/`, loopback);
  assert.equal((await res.readAll()).toString(), 'hello');
  await assert.rejects(
    fetchGuarded(`http://127.0.0.1:${port()}/`, { ...loopback, allowHttp: false }),
    (e: unknown) => e instanceof EgressDeniedError && e.reason === 'scheme_not_allowed',
  );
});

test('a redirect to loopback is not followed', async () => {
  const before = seen.length;
  await assert.rejects(
    fetchGuarded(`http://127.0.0.1:${port()}/redirect`, loopback),
    (e: unknown) => e instanceof EgressDeniedError && e.reason === 'redirect',
  );
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(seen.slice(before).map((s) => s.path), ['/redirect']);
});

test('size cap applies while streaming', async () => {
  const res = await fetchGuarded(`http://127.0.0.1:${port()}/big`, { ...loopback, maxBytes: 4096 });
  await assert.rejects(res.readAll(), (e: unknown) => isDphError(e) && e.code === 'source_too_large');
});

test('timeout aborts a slow source', async () => {
  await assert.rejects(
    fetchGuarded(`http://127.0.0.1:${port()}/slow`, { ...loopback, timeoutMs: 200 }),
    (e: unknown) => isDphError(e) && e.code === 'source_fetch_failed' && e.details?.reason === 'timeout',
  );
});

test('DNS rebinding: the address connected to is the one that was checked', async () => {
  // A resolver that answers an allowed address once, then a forbidden one (what a rebinding server does between
  // a check and a connect). The guard resolves once per connection, inside the connect, so nothing can differ.
  let calls = 0;
  const resolveAll = async () => {
    calls++;
    return calls === 1 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.0.0.1', family: 4 }];
  };
  const agent = createGuardedAgent({ allowCidrs: '127.0.0.1/32', resolveAll });
  const before = seen.length;
  const res = await fetchGuarded(`http://rebind.example:${port()}/`, { ...loopback, dispatcher: agent });
  assert.equal((await res.readAll()).toString(), 'hello');
  assert.equal(calls, 1);
  const hit = seen.slice(before)[0];
  assert.equal(hit?.host, `rebind.example:${port()}`); // Host header keeps the original name
  assert.equal(hit?.remote, '127.0.0.1');
  // A fresh connection resolves again and now gets the private answer: refused, not connected.
  const agent2 = createGuardedAgent({ allowCidrs: '127.0.0.1/32', resolveAll });
  await assert.rejects(
    fetchGuarded(`http://rebind.example:${port()}/`, { ...loopback, dispatcher: agent2 }),
    (e: unknown) => e instanceof EgressDeniedError && e.reason === 'private',
  );
  await agent.close();
  await agent2.close();
});

test('HTTPS to a vetted address keeps SNI and certificate verification on the original name', async () => {
  const tls = makeTestTls(['files.example.test']);
  const srv = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    res.end(`sni=${(req.socket as import('node:tls').TLSSocket).servername}`);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const p = (srv.address() as AddressInfo).port;
  const resolveAll = async () => [{ address: '127.0.0.1', family: 4 }];
  const agent = createGuardedAgent({ allowCidrs: '127.0.0.0/8', resolveAll, ca: tls.ca });
  try {
    const res = await fetchGuarded(`https://files.example.test:${p}/doc`, { ...loopback, allowHttp: false, dispatcher: agent });
    assert.equal((await res.readAll()).toString(), 'sni=files.example.test');
    // A name the certificate does not cover fails verification even though the address is the same.
    const wrong = createGuardedAgent({ allowCidrs: '127.0.0.0/8', resolveAll, ca: tls.ca });
    await assert.rejects(
      fetchGuarded(`https://other.example.test:${p}/doc`, { ...loopback, allowHttp: false, dispatcher: wrong }),
      (e: unknown) => isDphError(e) && e.details?.reason === 'tls',
    );
    await wrong.close();
  } finally {
    await agent.close();
    srv.close();
  }
});
