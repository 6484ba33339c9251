import { mkdirSync } from 'node:fs';
import { ensureBuckets } from './buckets.js';
import { ensureCerts } from './certs.js';
import { apiUrl, writeEnvFile } from './env.js';
import { StackError, portTaken } from './errors.js';
import { portOpen } from './proc.js';
import { idpExists, idpIssuer, idpLog, idpPid, startIdp, stopIdp } from './idp.js';
import { ensurePackages } from './install.js';
import { elapsedSeconds, step } from './log.js';
import { runMigrations, setRolePasswords } from './migrations.js';
import { buildMinio, findMinio, minioEndpoint, minioLog, minioPid, startMinio, stopMinio } from './minio.js';
import { paths } from './paths.js';
import pg from 'pg';
import { pgAdminConfig, pgLog, pgPid, startPostgres, stopPostgres } from './postgres.js';
import { rabbitLog, rabbitPid, startRabbit, stopRabbit } from './rabbitmq.js';
import { redisLog, redisPid, startRedis, stopRedis } from './redis.js';
import { probeReady, serviceExists, serviceLog, servicePid, startService, stopService, type ServiceOutcome } from './services.js';
import { INFRA_NAMES, SERVICE_NAMES, SERVICE_PORT_ENV, type ComponentName, type InfraName, type ServiceName, type Settings } from './settings.js';
import { loadSecrets, recordComponent, forgetComponent, type Secrets } from './state.js';

const now = () => new Date().toISOString();

async function startInfra(name: InfraName, s: Settings, secrets: Secrets): Promise<void> {
  switch (name) {
    case 'postgres': {
      const pid = await startPostgres(s, secrets);
      recordComponent('postgres', { pid, port: s.pgPort, startedAt: now(), log: pgLog });
      return;
    }
    case 'rabbitmq': {
      const pid = await startRabbit(s, secrets);
      recordComponent('rabbitmq', { pid, port: s.amqpPort, startedAt: now(), log: rabbitLog });
      return;
    }
    case 'redis': {
      const pid = await startRedis(s, secrets);
      recordComponent('redis', { pid, port: s.redisPort, startedAt: now(), log: redisLog });
      return;
    }
    case 'minio': {
      const existing = minioPid();
      const pid = await startMinio(s, secrets);
      if (pid !== existing) recordComponent('minio', { pid, port: s.minioPort, startedAt: now(), log: minioLog });
      await ensureBuckets(s, secrets);
      return;
    }
  }
}

async function stopInfra(name: InfraName, s: Settings): Promise<void> {
  step(`${name}: stopping`);
  if (name === 'postgres') stopPostgres();
  if (name === 'rabbitmq') await stopRabbit(s);
  if (name === 'redis') await stopRedis();
  if (name === 'minio') await stopMinio();
  forgetComponent(name);
}

export function infraPid(name: InfraName): number | undefined {
  if (name === 'postgres') return pgPid();
  if (name === 'rabbitmq') return rabbitPid();
  if (name === 'redis') return redisPid();
  return minioPid();
}

export function allReady(): boolean {
  return INFRA_NAMES.every((n) => infraPid(n) !== undefined) && (!idpExists() || idpPid() !== undefined) && SERVICE_NAMES.every((n) => !serviceExists(n) || servicePid(n) !== undefined);
}

/** Checks every port that `up` would bind before starting anything, so a clash stops it with nothing half-started. */
async function preflightPorts(s: Settings): Promise<void> {
  const want: Array<[string, number, string]> = [];
  if (!pgPid()) want.push(['postgres', s.pgPort, 'DPH_STACK_PG_PORT']);
  if (!rabbitPid()) want.push(['rabbitmq', s.amqpPort, 'DPH_STACK_AMQPS_PORT'], ['rabbitmq', s.rabbitDistPort, 'DPH_STACK_RABBIT_DIST_PORT']);
  if (!redisPid()) want.push(['redis', s.redisPort, 'DPH_STACK_REDIS_TLS_PORT']);
  if (!minioPid()) want.push(['minio', s.minioPort, 'DPH_STACK_MINIO_PORT'], ['minio', s.minioConsolePort, 'DPH_STACK_MINIO_CONSOLE_PORT']);
  if (idpExists() && !idpPid()) want.push(['idp', s.idpPort, 'DPH_STACK_IDP_PORT']);
  for (const n of SERVICE_NAMES) {
    if (serviceExists(n) && !servicePid(n)) want.push([n, s.servicePorts[n], SERVICE_PORT_ENV[n]]);
  }
  for (const [name, port, env] of want) if (await portOpen(port)) throw portTaken(name, port, env);
}

export async function up(s: Settings): Promise<ServiceOutcome[]> {
  mkdirSync(paths.logs, { recursive: true, mode: 0o755 });
  ensurePackages();
  const secrets = loadSecrets();
  ensureCerts();
  await preflightPorts(s);
  // MinIO is found or built first (the slow step shows its progress alone); then the four daemons boot side by
  // side, RabbitMQ first since its Erlang VM takes longest.
  if (!findMinio()) buildMinio();
  await Promise.all((['rabbitmq', 'minio', 'redis', 'postgres'] as const).map((name) => startInfra(name, s, secrets)));
  writeEnvFile(s, secrets);
  runMigrations(s, secrets);
  await setRolePasswords(s, secrets);
  await startIdp(s);
  // Services are independent of each other: start them together and wait for their readiness together.
  return Promise.all(SERVICE_NAMES.map((name) => startService(name, s, secrets)));
}

export async function down(s: Settings): Promise<void> {
  for (const name of [...SERVICE_NAMES].reverse()) await stopService(name);
  await stopIdp();
  for (const name of ['minio', 'redis', 'rabbitmq', 'postgres'] as const) {
    if (infraPid(name) !== undefined) await stopInfra(name, s);
    else forgetComponent(name);
  }
}

export async function restart(name: ComponentName, s: Settings): Promise<ServiceOutcome | undefined> {
  mkdirSync(paths.logs, { recursive: true, mode: 0o755 });
  const secrets = loadSecrets();
  ensureCerts();
  if ((SERVICE_NAMES as readonly string[]).includes(name)) {
    const svc = name as ServiceName;
    await stopService(svc);
    return startService(svc, s, secrets);
  }
  if (name === 'idp') {
    await stopIdp();
    await startIdp(s);
    return undefined;
  }
  const infra = name as InfraName;
  if (!(INFRA_NAMES as readonly string[]).includes(infra)) {
    throw new StackError('stack_usage', `unknown component ${name}`, `one of: ${[...INFRA_NAMES, 'idp', ...SERVICE_NAMES].join(', ')}`);
  }
  await stopInfra(infra, s);
  await startInfra(infra, s, secrets);
  return undefined;
}

/**
 * Development only: drops and recreates the stack's database, then migrates it again. For when a migration that
 * already ran here was edited (forward-only migrations refuse that, rightly). Roles are cluster-wide and kept.
 */
export async function resetDatabase(s: Settings): Promise<void> {
  const secrets = loadSecrets();
  if (!pgPid()) throw new StackError('stack_not_running', 'postgres is not running', 'run `npm run stack -- up` first');
  const c = new pg.Client(pgAdminConfig(s, secrets, 'postgres'));
  await c.connect();
  try {
    step(`postgres: dropping and recreating database ${s.pgDatabase}`);
    await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(s.pgDatabase)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${c.escapeIdentifier(s.pgDatabase)} ENCODING 'UTF8'`);
  } finally {
    await c.end();
  }
  runMigrations(s, secrets);
  await setRolePasswords(s, secrets);
}

export interface ComponentStatus {
  state: 'running' | 'stopped' | 'absent';
  pid: number | null;
  port: number;
  log: string;
  ready?: boolean;
}

export async function status(s: Settings) {
  const components: Record<string, ComponentStatus> = {};
  const infraPorts: Record<InfraName, number> = { postgres: s.pgPort, rabbitmq: s.amqpPort, redis: s.redisPort, minio: s.minioPort };
  const infraLogs: Record<InfraName, string> = { postgres: pgLog, rabbitmq: rabbitLog, redis: redisLog, minio: minioLog };
  for (const n of INFRA_NAMES) {
    const pid = infraPid(n);
    components[n] = { state: pid ? 'running' : 'stopped', pid: pid ?? null, port: infraPorts[n], log: infraLogs[n] };
  }
  {
    const pid = idpPid();
    components.idp = { state: !idpExists() ? 'absent' : pid ? 'running' : 'stopped', pid: pid ?? null, port: s.idpPort, log: idpLog };
  }
  for (const n of SERVICE_NAMES) {
    const pid = servicePid(n);
    const exists = serviceExists(n);
    const c: ComponentStatus = { state: !exists ? 'absent' : pid ? 'running' : 'stopped', pid: pid ?? null, port: s.servicePorts[n], log: serviceLog(n) };
    if (pid) c.ready = (await probeReady(n, s)) === 200;
    components[n] = c;
  }
  const running = Object.values(components).every((c) => c.state !== 'stopped');
  return {
    ready: running,
    components,
    apiUrl: apiUrl(s),
    oidcIssuer: idpExists() ? idpIssuer(s) : null,
    caFile: paths.caCert,
    envFile: paths.envFile,
    logsDir: paths.logs,
    endpoints: {
      postgres: `postgresql://${s.host}:${s.pgPort}/${s.pgDatabase}?sslmode=verify-full`,
      amqp: `amqps://${s.host}:${s.amqpPort}/${encodeURIComponent(s.amqpVhost)}`,
      redis: `rediss://${s.host}:${s.redisPort}`,
      s3: minioEndpoint(s),
    },
    buckets: { raw: s.bucketRaw, parsed: s.bucketParsed, audit: s.bucketAudit },
  };
}

export function readyLine(s: Settings): string {
  return `stack ready in ${elapsedSeconds()}s — API ${apiUrl(s)}, env ${paths.envFile}`;
}
