import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { StackError, portTaken } from './errors.js';
import { chownTree, ensureDir, ownedFile } from './fsutil.js';
import { step } from './log.js';
import { paths } from './paths.js';
import { pidAlive, portOpen, run, stopPid, waitUntil, which } from './proc.js';
import type { Settings } from './settings.js';
import type { Secrets } from './state.js';

const OS_USER = 'redis';
const pidFile = join(paths.redis, 'redis.pid');
export const redisLog = join(paths.logs, 'redis.log');

export function redisUrl(s: Settings, secrets: Secrets): string {
  return `rediss://:${secrets.redisPassword}@${s.host}:${s.redisPort}`;
}

export function redisPid(): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return pidAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** AUTH + PING over TLS with the CA, using a raw TLS socket (no client library needed just to probe). */
export function redisReady(s: Settings, secrets: Secrets): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const sock = tlsConnect({ host: s.host, port: s.redisPort, ca: readFileSync(paths.caCert), servername: 'localhost' }, () => {
      sock.write(`AUTH ${secrets.redisPassword}\r\nPING\r\n`);
    });
    let buf = '';
    sock.setTimeout(3000, () => {
      sock.destroy();
      reject(new Error('timeout'));
    });
    sock.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('+PONG')) {
        sock.end();
        resolve(true);
      } else if (buf.includes('-')) {
        sock.destroy();
        reject(new Error('redis refused'));
      }
    });
    sock.on('error', reject);
  });
}

export async function startRedis(s: Settings, secrets: Secrets): Promise<number> {
  const bin = which('redis-server');
  if (!bin) throw new StackError('stack_missing_dependency', 'redis-server not found', 'install the Debian package redis-server');
  ensureDir(paths.redis, 0o750, OS_USER);
  const tlsDir = join(paths.redis, 'tls');
  ensureDir(tlsDir, 0o700, OS_USER);
  for (const [src, name, mode] of [[paths.serverCert, 'server.crt', 0o644], [paths.serverKey, 'server.key', 0o600], [paths.caCert, 'ca.crt', 0o644]] as const) {
    writeFileSync(join(tlsDir, name), readFileSync(src), { mode });
  }
  const conf = [
    '# Written by `npm run stack -- up`; edit deploy/stack/src/redis.ts instead.',
    'port 0', // plaintext listener off
    `tls-port ${s.redisPort}`,
    `bind ${s.host} -::1`,
    `tls-cert-file ${join(tlsDir, 'server.crt')}`,
    `tls-key-file ${join(tlsDir, 'server.key')}`,
    `tls-ca-cert-file ${join(tlsDir, 'ca.crt')}`,
    'tls-auth-clients optional',
    'tls-protocols "TLSv1.2 TLSv1.3"',
    `requirepass ${secrets.redisPassword}`,
    'protected-mode yes',
    'daemonize yes',
    `pidfile ${pidFile}`,
    `logfile ${redisLog}`,
    `dir ${paths.redis}`,
    'appendonly no',
    'save ""',
    'maxmemory 256mb',
    'maxmemory-policy noeviction',
    '',
  ].join('\n');
  const confFile = join(paths.redis, 'redis.conf');
  writeFileSync(confFile, conf, { mode: 0o600 });
  chownTree(paths.redis, OS_USER);
  let pid = redisPid();
  if (pid) {
    step(`redis: already running (pid ${pid}, TLS port ${s.redisPort})`);
  } else {
    if (await portOpen(s.redisPort)) throw portTaken('redis', s.redisPort, 'DPH_STACK_REDIS_TLS_PORT');
    step(`redis: starting (TLS only) on ${s.host}:${s.redisPort}`);
    ownedFile(redisLog, OS_USER);
    run(bin, [confFile], { user: OS_USER, cwd: paths.redis });
  }
  const ok = await waitUntil(() => redisReady(s, secrets), 20000, 200);
  pid = redisPid();
  if (!ok || !pid) throw new StackError('stack_start_failed', 'redis did not answer AUTH/PING over TLS', `see ${redisLog}`);
  return pid;
}

export async function stopRedis(): Promise<void> {
  const pid = redisPid();
  if (pid) await stopPid(pid, 10000);
}
