/**
 * Ports and names of the local stack. A fixed, unusual range (55xxx-59xxx) keeps it clear of system services on
 * the default ports; each value can be overridden through the environment of `npm run stack`.
 */
import { ConfigError } from '@dph/errors';

/**
 * DPH_STACK_PORT_OFFSET shifts every default port at once, so a second stack (a CI run beside a developer's
 * stack, say) gets its own range with one variable.
 */
function offset(): number {
  const raw = process.env.DPH_STACK_PORT_OFFSET;
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < -50000 || n > 5000) throw new ConfigError('DPH_STACK_PORT_OFFSET', 'expected a whole number between -50000 and 5000');
  return n;
}

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback + offset();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new ConfigError(name, 'expected a TCP port 1-65535');
  }
  return n;
}
function str(name: string, fallback: string): string {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}
function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 3600) throw new ConfigError(name, 'expected whole seconds 1-3600');
  return n;
}
function days(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(name, 'expected a whole number of days >= 1');
  return n;
}

export const SERVICE_NAMES = ['orchestrator-api', 'worker-postproc', 'webhook-dispatcher', 'audit-writer'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export const SERVICE_PORT_ENV: Record<ServiceName, string> = {
  'orchestrator-api': 'DPH_STACK_API_PORT',
  'worker-postproc': 'DPH_STACK_WORKER_PORT',
  'webhook-dispatcher': 'DPH_STACK_DISPATCHER_PORT',
  'audit-writer': 'DPH_STACK_AUDIT_WRITER_PORT',
};
export const INFRA_NAMES = ['postgres', 'rabbitmq', 'redis', 'minio'] as const;
export type InfraName = (typeof INFRA_NAMES)[number];
export type ComponentName = InfraName | 'idp' | ServiceName;

/** Database role of each service (created by the migrations, password set by the stack). */
export const SERVICE_ROLES: Record<ServiceName, string> = {
  'orchestrator-api': 'dph_api',
  'worker-postproc': 'dph_worker',
  'webhook-dispatcher': 'dph_dispatcher',
  'audit-writer': 'dph_audit_writer',
};
export const ALL_ROLES = ['dph_api', 'dph_worker', 'dph_dispatcher', 'dph_audit_writer', 'dph_migrator'] as const;

export function loadSettings() {
  return Object.freeze({
    host: '127.0.0.1',
    pgPort: num('DPH_STACK_PG_PORT', 55432),
    pgDatabase: str('DPH_STACK_PG_DATABASE', 'dph'),
    pgAdminUser: 'dph_admin',
    amqpPort: num('DPH_STACK_AMQPS_PORT', 55671),
    rabbitDistPort: num('DPH_STACK_RABBIT_DIST_PORT', 55672),
    epmdPort: num('DPH_STACK_EPMD_PORT', 54369),
    rabbitNode: str('DPH_STACK_RABBIT_NODENAME', 'dph-stack@localhost'),
    amqpUser: 'dph',
    amqpVhost: '/',
    redisPort: num('DPH_STACK_REDIS_TLS_PORT', 56379),
    minioPort: num('DPH_STACK_MINIO_PORT', 59000),
    minioConsolePort: num('DPH_STACK_MINIO_CONSOLE_PORT', 59001),
    s3Region: str('DPH_STACK_S3_REGION', 'us-east-1'),
    kmsKeyName: str('DPH_STACK_KMS_KEY_NAME', 'dph-dev-key'),
    bucketRaw: str('DPH_STACK_BUCKET_RAW', 'dph-raw'),
    bucketParsed: str('DPH_STACK_BUCKET_PARSED', 'dph-parsed'),
    bucketAudit: str('DPH_STACK_BUCKET_AUDIT', 'dph-audit'),
    rawDays: days('DPH_STACK_RAW_EXPIRY_DAYS', 90),
    parsedDays: days('DPH_STACK_PARSED_EXPIRY_DAYS', 30),
    chunksDays: days('DPH_STACK_CHUNKS_EXPIRY_DAYS', 7),
    idpPort: num('DPH_STACK_IDP_PORT', 58443),
    servicePorts: {
      'orchestrator-api': num('DPH_STACK_API_PORT', 58080),
      'worker-postproc': num('DPH_STACK_WORKER_PORT', 58081),
      'webhook-dispatcher': num('DPH_STACK_DISPATCHER_PORT', 58082),
      'audit-writer': num('DPH_STACK_AUDIT_WRITER_PORT', 58083),
    } satisfies Record<ServiceName, number>,
    readyTimeoutMs: seconds('DPH_STACK_READY_TIMEOUT_S', 60) * 1000,
  });
}
export type Settings = ReturnType<typeof loadSettings>;
