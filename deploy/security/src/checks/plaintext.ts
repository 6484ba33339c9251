/** Plaintext connection attempts to every backing service and the API: each must be refused. */
import { connect as netConnect } from 'node:net';
import { request as httpRequest } from 'node:http';
import pg from 'pg';
import amqp from 'amqplib';
import { apiUrl, pgAdminClientConfig, stackEnv } from '@dph/testkit';
import type { CheckResult } from '../check.js';

function httpPlain(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { timeout: 3000 }, (res) => {
      res.resume();
      resolve(`answered ${res.statusCode}`);
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(`refused (${e.code ?? e.message})`));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Sends a plaintext Redis PING; a TLS-only port never answers +PONG. */
function redisPlain(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = netConnect({ host, port });
    let data = '';
    const done = (why: string) => {
      s.destroy();
      resolve(why);
    };
    s.setTimeout(3000, () => done(data.includes('PONG') ? 'answered PONG' : 'refused (no answer)'));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      data += d.toString('latin1');
      if (data.includes('PONG')) done('answered PONG');
    });
    s.on('error', (e: NodeJS.ErrnoException) => done(`refused (${e.code})`));
    s.on('close', () => done(data.includes('PONG') ? 'answered PONG' : 'refused (closed)'));
  });
}

export async function plaintextChecks(): Promise<CheckResult[]> {
  const e = stackEnv();
  const out: CheckResult[] = [];
  const amqpUrl = new URL(e.DPH_AMQP_URL!);
  try {
    const c = await amqp.connect(`amqp://${amqpUrl.username}:${amqpUrl.password}@${amqpUrl.hostname}:${amqpUrl.port}${amqpUrl.pathname}`, { timeout: 3000 });
    await c.close();
    out.push({ name: 'plaintext: AMQP without TLS', ok: false, detail: 'connected' });
  } catch (err) {
    out.push({ name: 'plaintext: AMQP without TLS', ok: true, detail: `refused (${(err as Error).message.slice(0, 60)})` });
  }
  const client = new pg.Client({ ...pgAdminClientConfig(), ssl: false, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    out.push({ name: 'plaintext: Postgres without SSL', ok: false, detail: 'connected' });
  } catch (err) {
    const msg = (err as Error).message;
    out.push({ name: 'plaintext: Postgres without SSL', ok: /no pg_hba|SSL|ssl/i.test(msg), detail: `refused (${msg.replace(/user "[^"]*"/, 'user …').slice(0, 80)})` });
  }
  const redis = new URL(e.DPH_REDIS_URL!);
  const r = await redisPlain(redis.hostname, Number(redis.port));
  out.push({ name: 'plaintext: Redis without TLS', ok: r.startsWith('refused'), detail: r });
  const s3 = await httpPlain(e.DPH_S3_ENDPOINT!.replace(/^https:/, 'http:') + '/minio/health/live');
  out.push({ name: 'plaintext: MinIO over http', ok: !s3.startsWith('answered 2'), detail: s3 });
  const api = await httpPlain(apiUrl().replace(/^https:/, 'http:') + '/livez');
  out.push({ name: 'plaintext: API over http', ok: !api.startsWith('answered 2'), detail: api });
  return out;
}
