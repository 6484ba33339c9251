import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { StackError, portTaken } from './errors.js';
import { chownTree, copyOwned, ensureDir, ownedFile } from './fsutil.js';
import { step } from './log.js';
import { paths } from './paths.js';
import { pidAlive, portOpen, run, waitUntil } from './proc.js';
import type { Settings } from './settings.js';
import type { Secrets } from './state.js';

const OS_USER = 'postgres';
const dataDir = join(paths.pg, 'data');
const tlsDir = join(paths.pg, 'tls');
export const pgLog = join(paths.logs, 'postgres.log');

/** Newest Postgres installed from Debian packages (15 on bookworm). */
export function pgBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  throw new StackError('stack_missing_dependency', 'Postgres server binaries not found under /usr/lib/postgresql', 'install the Debian package postgresql');
}

export function pgPid(): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pidAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function pgAdminConfig(s: Settings, secrets: Secrets, database = s.pgDatabase): pg.ClientConfig {
  return {
    host: s.host,
    port: s.pgPort,
    user: s.pgAdminUser,
    password: secrets.pgAdminPassword,
    database,
    ssl: { ca: readFileSync(paths.caCert, 'utf8'), rejectUnauthorized: true },
    connectionTimeoutMillis: 5000,
  };
}

function writeConfig(s: Settings): void {
  copyOwned(paths.serverCert, join(tlsDir, 'server.crt'), 0o644, OS_USER);
  copyOwned(paths.serverKey, join(tlsDir, 'server.key'), 0o600, OS_USER);
  copyOwned(paths.caCert, join(tlsDir, 'ca.crt'), 0o644, OS_USER);
  const conf = [
    '# Written by `npm run stack -- up` on every start; edit deploy/stack/src/postgres.ts instead.',
    `listen_addresses = '${s.host}'`,
    `port = ${s.pgPort}`,
    // No Unix socket: every client, the stack itself included, comes in over TLS.
    "unix_socket_directories = ''",
    'ssl = on',
    `ssl_cert_file = '${join(tlsDir, 'server.crt')}'`,
    `ssl_key_file = '${join(tlsDir, 'server.key')}'`,
    `ssl_ca_file = '${join(tlsDir, 'ca.crt')}'`,
    "ssl_min_protocol_version = 'TLSv1.2'",
    "password_encryption = 'scram-sha-256'",
    'max_connections = 300',
    "shared_buffers = '128MB'",
    // The delivery and outbox tables' churn wrote 1 GB of WAL every few minutes, and each forced checkpoint is
    // followed by full-page images of every page touched again: checkpoints by time, not by WAL volume.
    "max_wal_size = '4GB'",
    "checkpoint_timeout = '15min'",
    // Short transactional statements only: compiling a plan to machine code never pays off for them.
    'jit = off',
    "log_destination = 'stderr'",
    "log_line_prefix = '%m [%p] %u@%d '",
    'log_connections = off',
    "timezone = 'UTC'",
    '',
  ].join('\n');
  writeFileSync(join(dataDir, 'dph.conf'), conf);
  const main = join(dataDir, 'postgresql.conf');
  const mainText = readFileSync(main, 'utf8');
  if (!mainText.includes("include = 'dph.conf'")) writeFileSync(main, `${mainText}\ninclude = 'dph.conf'\n`);
  // hostssl only: a client that does not speak TLS matches no line and is refused.
  const hba = [
    '# TYPE  DATABASE USER ADDRESS       METHOD',
    'hostssl all      all  127.0.0.1/32  scram-sha-256',
    'hostssl all      all  ::1/128       scram-sha-256',
    '',
  ].join('\n');
  writeFileSync(join(dataDir, 'pg_hba.conf'), hba);
  chownTree(dataDir, OS_USER);
}

export async function startPostgres(s: Settings, secrets: Secrets): Promise<number> {
  const bin = pgBinDir();
  ensureDir(paths.pg, 0o755, OS_USER);
  ensureDir(tlsDir, 0o700, OS_USER);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    step('postgres: initdb (first run)');
    ensureDir(dataDir, 0o700, OS_USER);
    const pwFile = join(paths.pg, '.pwfile');
    writeFileSync(pwFile, secrets.pgAdminPassword + '\n', { mode: 0o600 });
    chownTree(pwFile, OS_USER);
    try {
      run(join(bin, 'initdb'), ['-D', dataDir, '-U', s.pgAdminUser, `--pwfile=${pwFile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8'], { user: OS_USER, cwd: '/tmp' });
    } finally {
      run('rm', ['-f', pwFile]);
    }
  }
  writeConfig(s);
  let pid = pgPid();
  if (pid) {
    step(`postgres: already running (pid ${pid}, port ${s.pgPort})`);
    // pg_hba/conf may have changed: reload is cheap and harmless.
    run(join(bin, 'pg_ctl'), ['-D', dataDir, 'reload', '-s'], { user: OS_USER, cwd: '/tmp', allowFail: true });
  } else {
    if (await portOpen(s.pgPort)) throw portTaken('postgres', s.pgPort, 'DPH_STACK_PG_PORT');
    step(`postgres: starting on ${s.host}:${s.pgPort}`);
    ownedFile(pgLog, OS_USER);
    run(join(bin, 'pg_ctl'), ['-D', dataDir, '-l', pgLog, '-w', '-t', '60', '-s', 'start'], { user: OS_USER, cwd: '/tmp' });
    pid = pgPid();
    if (!pid) throw new StackError('stack_start_failed', 'postgres did not start', `see ${pgLog}`);
  }
  const ok = await waitUntil(async () => {
    const c = new pg.Client(pgAdminConfig(s, secrets, 'postgres'));
    await c.connect();
    await c.end();
    return true;
  }, 30000, 300);
  if (!ok) throw new StackError('stack_start_failed', 'postgres does not accept TLS connections', `see ${pgLog}`);
  await ensureDatabase(s, secrets);
  return pid;
}

async function ensureDatabase(s: Settings, secrets: Secrets): Promise<void> {
  const c = new pg.Client(pgAdminConfig(s, secrets, 'postgres'));
  await c.connect();
  try {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [s.pgDatabase]);
    if (r.rowCount === 0) {
      step(`postgres: creating database ${s.pgDatabase}`);
      await c.query(`CREATE DATABASE "${s.pgDatabase}" ENCODING 'UTF8'`);
    }
  } finally {
    await c.end();
  }
}

export function stopPostgres(): void {
  if (!pgPid()) return;
  run(join(pgBinDir(), 'pg_ctl'), ['-D', dataDir, '-w', '-t', '60', '-m', 'fast', '-s', 'stop'], { user: OS_USER, cwd: '/tmp', allowFail: true });
}

