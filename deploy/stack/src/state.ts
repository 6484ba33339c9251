import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { paths } from './paths.js';
import { ALL_ROLES, type ComponentName } from './settings.js';

/** Writes a file atomically with the given mode, so a crash never leaves a half-written secret or state. */
export function writePrivate(file: string, content: string, mode = 0o600): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

export interface Secrets {
  pgAdminPassword: string;
  rolePasswords: Record<string, string>;
  amqpPassword: string;
  redisPassword: string;
  minioRootUser: string;
  minioRootPassword: string;
  /** base64 of 32 random bytes: MinIO's static SSE-KMS key (MINIO_KMS_SECRET_KEY). */
  kmsKey: string;
}

// Hex only: values go into URLs (amqps://user:pass@) and config files without any escaping.
const gen = (bytes = 24) => randomBytes(bytes).toString('hex');

/** Development credentials, generated once per .dph folder and kept (mode 600) so restarts keep working. */
export function loadSecrets(): Secrets {
  let s: Partial<Secrets> = {};
  if (existsSync(paths.secrets)) s = JSON.parse(readFileSync(paths.secrets, 'utf8')) as Partial<Secrets>;
  const rolePasswords = { ...(s.rolePasswords ?? {}) };
  for (const r of ALL_ROLES) rolePasswords[r] ??= gen();
  const full: Secrets = {
    pgAdminPassword: s.pgAdminPassword ?? gen(),
    rolePasswords,
    amqpPassword: s.amqpPassword ?? gen(),
    redisPassword: s.redisPassword ?? gen(),
    minioRootUser: s.minioRootUser ?? `dph-${gen(6)}`,
    minioRootPassword: s.minioRootPassword ?? gen(),
    kmsKey: s.kmsKey ?? randomBytes(32).toString('base64'),
  };
  if (JSON.stringify(full) !== JSON.stringify(s)) writePrivate(paths.secrets, JSON.stringify(full, null, 2) + '\n');
  return full;
}

export interface ComponentState {
  pid: number;
  port: number;
  startedAt: string;
  log: string;
}
export type StackState = Partial<Record<ComponentName, ComponentState>>;

export function loadState(): StackState {
  try {
    return JSON.parse(readFileSync(paths.state, 'utf8')) as StackState;
  } catch {
    return {};
  }
}

export function saveState(state: StackState): void {
  writePrivate(paths.state, JSON.stringify(state, null, 2) + '\n', 0o644);
}

export function recordComponent(name: ComponentName, c: ComponentState): void {
  const st = loadState();
  st[name] = c;
  saveState(st);
}

export function forgetComponent(name: ComponentName): void {
  const st = loadState();
  delete st[name];
  saveState(st);
}
