import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { idpExists, idpIssuer, idpStateDir, oidcAudience } from './idp.js';
import { amqpUrl } from './rabbitmq.js';
import { minioEndpoint } from './minio.js';
import { paths } from './paths.js';
import { redisUrl } from './redis.js';
import { SERVICE_NAMES, SERVICE_ROLES, type ServiceName, type Settings } from './settings.js';
import { writePrivate, type Secrets } from './state.js';

/** Key of a per-service credential in stack.env: DPH_PG_USER__ORCHESTRATOR_API (shell-safe form of the name). */
export const credKey = (base: 'DPH_PG_USER' | 'DPH_PG_PASSWORD', who: string) => `${base}__${who.toUpperCase().replaceAll('-', '_')}`;

export function apiUrl(s: Settings): string {
  return `https://${s.host}:${s.servicePorts['orchestrator-api']}`;
}

/** The common DPH_* variables (DESIGN brief's contract), as every service and test sees them locally. */
export function commonEnv(s: Settings, secrets: Secrets): Record<string, string> {
  return {
    DPH_ENV: 'development',
    DPH_LOG_LEVEL: 'info',
    DPH_TLS_CA_FILE: paths.caCert,
    DPH_TLS_CLIENT_CERT_FILE: paths.clientCert,
    DPH_TLS_CLIENT_KEY_FILE: paths.clientKey,
    DPH_PG_HOST: s.host,
    DPH_PG_PORT: String(s.pgPort),
    DPH_PG_DATABASE: s.pgDatabase,
    DPH_PG_SSLMODE: 'verify-full',
    DPH_AMQP_URL: amqpUrl(s, secrets),
    DPH_REDIS_URL: redisUrl(s, secrets),
    DPH_S3_ENDPOINT: minioEndpoint(s),
    DPH_S3_REGION: s.s3Region,
    DPH_S3_ACCESS_KEY_ID: secrets.minioRootUser,
    DPH_S3_SECRET_ACCESS_KEY: secrets.minioRootPassword,
    DPH_S3_KMS_KEY_ID: s.kmsKeyName,
    DPH_S3_FORCE_PATH_STYLE: 'true',
    DPH_BUCKET_RAW: s.bucketRaw,
    DPH_BUCKET_PARSED: s.bucketParsed,
    DPH_BUCKET_AUDIT: s.bucketAudit,
    // Loopback webhooks and sources are what local tests use; production keeps the SSRF guard's full refusal.
    DPH_EGRESS_ALLOW_CIDRS: '127.0.0.0/8,::1/128',
    // Local receivers and document sources serve HTTPS with the stack's own certificates.
    DPH_EGRESS_CA_FILE: paths.caCert,
    DPH_API_URL: apiUrl(s),
    // One key seals webhook secrets at rest: the API writes them, the dispatcher reads them.
    DPH_WEBHOOK_SECRET_KEY_FILE: webhookSecretKeyFile(),
    ...(idpExists()
      ? { DPH_OIDC_ISSUER: idpIssuer(s), DPH_OIDC_AUDIENCE: oidcAudience(s), DPH_IDP_STATE_DIR: idpStateDir }
      : {}),
  };
}

/** The development key that seals webhook signing secrets in Postgres (generated once, mode 600). */
function webhookSecretKeyFile(): string {
  const file = join(paths.dph, 'secrets', 'webhook-secret.key');
  if (!existsSync(file)) writePrivate(file, randomBytes(32).toString('hex') + '\n', 0o600);
  return file;
}

/**
 * Keyed pseudonymisation needs a secret per scene (`secret_env` in a PII policy). The stack generates one
 * development key for every variable the shipped policies name and hands the worker `<VAR>_FILE` paths.
 */
function piiSecretEnv(): Record<string, string> {
  const dir = join(paths.root, 'libs', 'pii', 'policies');
  const names = new Set<string>();
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/secret_env:\s*([A-Z][A-Z0-9_]*)/g)) names.add(m[1]!);
  }
  const out: Record<string, string> = {};
  for (const n of names) {
    const file = join(paths.dph, 'secrets', `${n.toLowerCase()}.key`);
    if (!existsSync(file)) writePrivate(file, randomBytes(32).toString('base64url') + '\n', 0o600);
    out[`${n}_FILE`] = file;
  }
  return out;
}

export function credentialEnv(s: Settings, secrets: Secrets): Record<string, string> {
  const out: Record<string, string> = {};
  for (const svc of SERVICE_NAMES) {
    const role = SERVICE_ROLES[svc];
    out[credKey('DPH_PG_USER', svc)] = role;
    out[credKey('DPH_PG_PASSWORD', svc)] = secrets.rolePasswords[role] ?? '';
  }
  out[credKey('DPH_PG_USER', 'migrator')] = 'dph_migrator';
  out[credKey('DPH_PG_PASSWORD', 'migrator')] = secrets.rolePasswords.dph_migrator ?? '';
  out[credKey('DPH_PG_USER', 'admin')] = s.pgAdminUser;
  out[credKey('DPH_PG_PASSWORD', 'admin')] = secrets.pgAdminPassword;
  out.DPH_MINIO_ROOT_USER = secrets.minioRootUser;
  out.DPH_MINIO_ROOT_PASSWORD = secrets.minioRootPassword;
  return out;
}

export function writeEnvFile(s: Settings, secrets: Secrets): void {
  const lines = [
    '# Local stack settings and development credentials, written by `npm run stack -- up`. Mode 600; never commit.',
    '# Read by @dph/testkit; `set -a; . .dph/stack.env; set +a` also works in a shell.',
  ];
  for (const [k, v] of Object.entries({ ...commonEnv(s, secrets), ...credentialEnv(s, secrets) })) lines.push(`${k}=${v}`);
  writePrivate(paths.envFile, lines.join('\n') + '\n', 0o600);
}

/** Optional non-secret development settings a service owner keeps beside the service (KEY=VALUE lines). */
function devEnv(name: ServiceName): Record<string, string> {
  const file = join(paths.root, 'services', name, 'dev.env');
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export function serviceProcessEnv(name: ServiceName, s: Settings, secrets: Secrets): Record<string, string> {
  const role = SERVICE_ROLES[name];
  const env: Record<string, string> = {
    ...commonEnv(s, secrets),
    DPH_SERVICE_INSTANCE: `${name}-local`,
    DPH_HTTP_HOST: s.host,
    DPH_HTTP_PORT: String(s.servicePorts[name]),
    DPH_PG_USER: role,
    DPH_PG_PASSWORD: secrets.rolePasswords[role] ?? '',
    ...devEnv(name),
  };
  if (name === 'worker-postproc') Object.assign(env, piiSecretEnv());
  if (name === 'orchestrator-api') {
    env.DPH_API_TLS_CERT_FILE = paths.serverCert;
    env.DPH_API_TLS_KEY_FILE = paths.serverKey;
  }
  return env;
}
