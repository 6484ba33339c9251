// Every hop of the local stack is TLS, and plaintext is refused (issue 2). Runs against the real stack.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { connect as amqpConnect } from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@dph/storage';
import { amqpSocketOptions, amqpUrl, caCert, pgAdminClientConfig, pgClientConfig, redisTlsOptions, redisUrl, requireStack, s3ConnectionOptions } from '@dph/testkit';

before(() => requireStack());

const hostPort = (url: string) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password), vhost: u.pathname };
};

test('AMQP: amqps with the stack user works; plain amqp:// to the port cannot connect; guest does not exist', async () => {
  const ok = await amqpConnect(amqpUrl(), amqpSocketOptions());
  await ok.close();
  const { host, port, user, pass } = hostPort(amqpUrl());
  await assert.rejects(amqpConnect(`amqp://${user}:${pass}@${host}:${port}/`, { timeout: 3000 }));
  await assert.rejects(amqpConnect(`amqps://guest:guest@${host}:${port}/`, amqpSocketOptions()), /ACCESS_REFUSED|403/);
  // TLS without the CA (an unverified server) is refused by the client too.
  await assert.rejects(amqpConnect(amqpUrl(), { timeout: 3000 }));
});

test('AMQP: a plaintext AMQP protocol header gets no AMQP answer on the only listener', async () => {
  const { host, port } = hostPort(amqpUrl());
  const answer = await plaintextExchange(host, port, 'AMQP\x00\x00\x09\x01');
  assert.ok(!answer.startsWith('AMQP') && !answer.includes('\x01\x00\x00'), 'no AMQP frame in answer to a plaintext header');
});

test('Postgres: verify-full TLS works for a service role; sslmode=disable is rejected', async () => {
  const c = new pg.Client(pgClientConfig('worker-postproc'));
  await c.connect();
  try {
    const r = await c.query<{ ssl: boolean; current_user: string }>('SELECT ssl, current_user FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE pid = pg_backend_pid()');
    assert.equal(r.rows[0]?.ssl, true);
    assert.equal(r.rows[0]?.current_user, 'dph_worker');
  } finally {
    await c.end();
  }
  const plain = new pg.Client({ ...pgAdminClientConfig(), ssl: false, connectionTimeoutMillis: 3000 });
  await assert.rejects(plain.connect(), /no encryption|pg_hba/);
  // Wrong CA (hostname/CA not verified) is refused by the client.
  const noCa = new pg.Client({ ...pgAdminClientConfig(), ssl: { rejectUnauthorized: true }, connectionTimeoutMillis: 3000 });
  await assert.rejects(noCa.connect(), /self-signed|certificate/);
});

test('Postgres: the server itself has ssl on and listens on loopback only', async () => {
  const c = new pg.Client(pgAdminClientConfig());
  await c.connect();
  try {
    const ssl = await c.query<{ ssl: string }>('SHOW ssl');
    assert.equal(ssl.rows[0]?.ssl, 'on');
    const la = await c.query<{ listen_addresses: string }>('SHOW listen_addresses');
    assert.equal(la.rows[0]?.listen_addresses, '127.0.0.1');
    const hba = await c.query<{ type: string }>('SELECT DISTINCT type FROM pg_hba_file_rules');
    assert.deepEqual(hba.rows.map((r) => r.type), ['hostssl']);
  } finally {
    await c.end();
  }
});

test('Redis: rediss with the password works; plaintext gets no answer; a wrong password is refused', async () => {
  const r = new Redis(redisUrl(), { tls: redisTlsOptions(), lazyConnect: true, maxRetriesPerRequest: 0 });
  await r.connect();
  assert.equal(await r.ping(), 'PONG');
  r.disconnect();
  const { host, port } = hostPort(redisUrl());
  const answer = await plaintextExchange(host, port, 'PING\r\n');
  assert.ok(!answer.includes('PONG'), 'plaintext PING must not be answered');
  const reply = await new Promise<string>((resolve, reject) => {
    const s = tlsConnect({ host, port, ca: caCert(), servername: 'localhost' }, () => s.write('AUTH wrong-password\r\nPING\r\n'));
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.split('\r\n').length > 2) s.end();
    });
    s.on('close', () => resolve(buf));
    s.on('error', reject);
  });
  assert.match(reply, /^-WRONGPASS/);
  assert.match(reply, /-NOAUTH/);
});

test('MinIO: HTTPS only — http:// to the S3 port gets no S3 answer', async () => {
  const o = s3ConnectionOptions();
  const s3 = createS3Client(o);
  try {
    const list = await s3.send(new ListBucketsCommand({}));
    assert.ok((list.Buckets ?? []).some((b) => b.Name === o.buckets.raw));
  } finally {
    s3.destroy();
  }
  const u = new URL(o.endpoint);
  const res = await new Promise<{ status: number; body: string } | Error>((resolve) => {
    const req = httpRequest({ host: u.hostname, port: Number(u.port), path: '/minio/health/ready', timeout: 3000 }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
    });
    req.on('error', (e) => resolve(e));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
  if (!(res instanceof Error)) {
    // Go's TLS server answers plaintext with a bare 400 "Client sent an HTTP request to an HTTPS server".
    assert.equal(res.status, 400);
    assert.match(res.body, /HTTPS server/);
  }
});

test('every TLS listener presents a certificate from the stack CA for 127.0.0.1; without that CA the client refuses', async () => {
  const ports = { amqp: hostPort(amqpUrl()).port, redis: hostPort(redisUrl()).port, s3: Number(new URL(s3ConnectionOptions().endpoint).port) };
  for (const [name, port] of Object.entries(ports)) {
    const cert = await new Promise<string>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, ca: caCert() }, () => {
        const san = s.getPeerCertificate().subjectaltname ?? '';
        s.end();
        resolve(san);
      });
      s.on('error', reject);
    });
    assert.match(cert, /IP Address:127\.0\.0\.1/, name);
    await assert.rejects(
      new Promise<void>((resolve, reject) => {
        const s = tlsConnect({ host: '127.0.0.1', port }, () => {
          s.end();
          resolve();
        });
        s.on('error', reject);
      }),
      /self-signed|unable to verify|certificate/,
      name,
    );
  }
});

async function plaintextExchange(host: string, port: number, send: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const s = netConnect({ host, port }, () => s.write(send));
    let buf = '';
    s.on('data', (d) => (buf += d.toString('latin1')));
    s.setTimeout(2000, () => s.destroy());
    s.on('close', () => resolve(buf));
    s.on('error', () => resolve(buf));
  });
}
