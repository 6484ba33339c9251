import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { PgSettings } from './settings.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolOptions {
  /** Shown in pg_stat_activity: which service and instance holds a connection. */
  applicationName?: string;
  max?: number;
  idleTimeoutMillis?: number;
  connectionTimeoutMillis?: number;
  /** Server-side cap per statement; a runaway query fails instead of holding a pool slot forever. */
  statementTimeoutMs?: number;
}

/** TLS options equivalent to libpq's sslmode=verify-full (or verify-ca: chain only, no host name check). */
export function pgTlsOptions(s: PgSettings): ConnectionOptions {
  const tls: ConnectionOptions = { ca: s.ca, rejectUnauthorized: true };
  // SNI must not carry an IP literal; Node still verifies an IP against the certificate's IP SANs.
  if (isIP(s.host) === 0) tls.servername = s.host;
  if (s.sslmode === 'verify-ca') tls.checkServerIdentity = () => undefined;
  if (s.clientCert && s.clientKey) {
    tls.cert = s.clientCert;
    tls.key = s.clientKey;
  }
  return tls;
}

export function pgClientConfig(s: PgSettings, opts: PoolOptions = {}): pg.ClientConfig {
  const cfg: pg.ClientConfig = {
    host: s.host,
    port: s.port,
    database: s.database,
    user: s.user,
    password: s.password,
    ssl: pgTlsOptions(s),
    application_name: opts.applicationName ?? 'dph',
    connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 10_000,
  };
  if (opts.statementTimeoutMs !== undefined) cfg.statement_timeout = opts.statementTimeoutMs;
  return cfg;
}

/**
 * A pool over TLS. An idle client that errors (server restart, network cut) is dropped by pg-pool; the 'error'
 * listener keeps that from crashing the process, and the next checkout opens a fresh connection.
 */
export function createPool(s: PgSettings, opts: PoolOptions = {}): Pool {
  const pool = new pg.Pool({
    ...pgClientConfig(s, opts),
    max: opts.max ?? s.poolMax,
    idleTimeoutMillis: opts.idleTimeoutMillis ?? 30_000,
  });
  pool.on('error', () => {
    /* an idle client died; pg-pool has already removed it */
  });
  const pids = new Set<number>();
  backendPids.set(pool, pids);
  pool.on('connect', (c) => {
    const pid = backendPid(c);
    if (pid) pids.add(pid);
  });
  pool.on('remove', (c) => {
    const pid = backendPid(c);
    if (pid) pids.delete(pid);
  });
  return pool;
}

const backendPids = new WeakMap<pg.Pool, Set<number>>();
const backendPid = (c: pg.PoolClient): number | undefined => (c as unknown as { processID?: number | null }).processID ?? undefined;

/**
 * The server process ids of a pool's open connections (what a NOTIFY reports as its sender), or undefined for a
 * pool not made by createPool. Lets a listener tell its own process's notifications from everyone else's.
 */
export function poolBackendPids(pool: pg.Pool): ReadonlySet<number> | undefined {
  return backendPids.get(pool);
}

/** A single connection (LISTEN sessions, migrations) with the same TLS settings as the pool. */
export function createClient(s: PgSettings, opts: PoolOptions = {}): pg.Client {
  return new pg.Client(pgClientConfig(s, opts));
}
