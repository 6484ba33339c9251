import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DphError } from '@dph/errors';

export const STACK_SERVICES = ['orchestrator-api', 'worker-postproc', 'webhook-dispatcher', 'audit-writer', 'admin'] as const;
export type StackService = (typeof STACK_SERVICES)[number];

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Same rule as deploy/stack: DPH_STACK_DIR overrides <repo>/.dph. */
export const stackDir = (): string => (process.env.DPH_STACK_DIR ? resolve(process.env.DPH_STACK_DIR) : join(ROOT, '.dph'));
export const envFile = (): string => join(stackDir(), 'stack.env');

const ROLE_KEYS: Record<StackService, string> = {
  'orchestrator-api': 'ORCHESTRATOR_API',
  'worker-postproc': 'WORKER_POSTPROC',
  'webhook-dispatcher': 'WEBHOOK_DISPATCHER',
  'audit-writer': 'AUDIT_WRITER',
  admin: 'ADMIN',
};

const notUp = (why: string) =>
  new DphError('stack_not_running', `local stack is not up (${why}): run \`npm run stack -- up\` first`, { status: 503, retryable: true });

function readEnvFile(): Record<string, string> {
  const file = envFile();
  if (!existsSync(file)) throw notUp(`${file} missing`);
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (line.startsWith('#') || i <= 0) continue;
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** The common DPH_* variables (CA, Postgres host/port/database, AMQP/Redis URLs, S3 settings, buckets). */
export function stackEnv(): Record<string, string> {
  const all = readEnvFile();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) if (!k.includes('__') && !k.startsWith('DPH_MINIO_')) out[k] = v;
  return out;
}

/** stackEnv() plus DPH_PG_USER/DPH_PG_PASSWORD of the service's database role ('admin' = a superuser, tests only). */
export function serviceEnv(name: StackService): Record<string, string> {
  if (!STACK_SERVICES.includes(name)) throw new DphError('invalid_argument', `unknown service ${String(name)}`, { status: 400 });
  const all = readEnvFile();
  const key = ROLE_KEYS[name];
  const user = all[`DPH_PG_USER__${key}`];
  const password = all[`DPH_PG_PASSWORD__${key}`];
  if (!user || !password) throw notUp(`no database credentials for ${name} in ${envFile()}`);
  return { ...stackEnv(), DPH_PG_USER: user, DPH_PG_PASSWORD: password };
}

function alive(pid: unknown): boolean {
  if (typeof pid !== 'number' || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the env file exists and the four backing services recorded by `up` are alive. */
export function stackRunning(): boolean {
  try {
    requireStack();
    return true;
  } catch {
    return false;
  }
}

/** Throws a clear "run npm run stack -- up" error unless Postgres, RabbitMQ, Redis and MinIO are running. */
export function requireStack(): void {
  readEnvFile();
  let state: Record<string, { pid?: number } | undefined>;
  try {
    state = JSON.parse(readFileSync(join(stackDir(), 'state.json'), 'utf8')) as typeof state;
  } catch {
    throw notUp('no state.json');
  }
  const down = ['postgres', 'rabbitmq', 'redis', 'minio'].filter((c) => !alive(state[c]?.pid));
  if (down.length > 0) throw notUp(`${down.join(', ')} not running`);
}
