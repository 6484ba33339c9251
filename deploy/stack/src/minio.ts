import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { StackError, portTaken } from './errors.js';
import { copyOwned, ensureDir } from './fsutil.js';
import { step } from './log.js';
import { paths } from './paths.js';
import { cmdline, pidAlive, portOpen, run, spawnDetached, stopPid, waitUntil, which } from './proc.js';
import type { Settings } from './settings.js';
import { loadState, type Secrets } from './state.js';

export const minioLog = join(paths.logs, 'minio.log');

/** A `minio` on PATH, or the one `go install` left in $GOPATH/bin (cached across runs). */
export function findMinio(): string | undefined {
  const onPath = which('minio');
  if (onPath) return onPath;
  const gopath = process.env.GOPATH ?? join(homedir(), 'go');
  const built = join(gopath, 'bin', 'minio');
  return existsSync(built) ? built : undefined;
}

/** Builds MinIO from source (the community edition ships no binaries any more). Takes minutes the first time. */
export function buildMinio(): string {
  const go = which('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) {
    throw new StackError('stack_missing_dependency', 'no minio binary and no Go toolchain to build it', 'install Go (https://go.dev/dl/, or the Debian package golang-go >= the version MinIO needs), then run again');
  }
  step('minio: building from source with `go install github.com/minio/minio@latest` (first run: several minutes) ...');
  const t0 = Date.now();
  // GOTOOLCHAIN=auto: a Go >= 1.21 fetches the newer toolchain MinIO's go.mod asks for through the module proxy.
  run(go, ['install', 'github.com/minio/minio@latest'], { inherit: true, env: { GOTOOLCHAIN: 'auto', ...process.env, CGO_ENABLED: '0' } });
  const bin = findMinio();
  if (!bin) throw new StackError('stack_start_failed', 'go install finished but no minio binary was found in $GOPATH/bin');
  step(`minio: built in ${((Date.now() - t0) / 1000).toFixed(0)} s → ${bin}`);
  return bin;
}

export function minioEndpoint(s: Settings): string {
  return `https://${s.host}:${s.minioPort}`;
}

export function minioPid(): number | undefined {
  const pid = loadState().minio?.pid;
  return pid && pidAlive(pid) && cmdline(pid).includes('minio') ? pid : undefined;
}

function healthy(s: Settings): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${minioEndpoint(s)}/minio/health/ready`, { ca: readFileSync(paths.caCert), timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function startMinio(s: Settings, secrets: Secrets): Promise<number> {
  const bin = findMinio() ?? buildMinio();
  const certs = join(paths.minio, 'certs');
  ensureDir(join(certs, 'CAs'), 0o700);
  ensureDir(join(paths.minio, 'data'), 0o700);
  copyOwned(paths.serverCert, join(certs, 'public.crt'), 0o644);
  copyOwned(paths.serverKey, join(certs, 'private.key'), 0o600);
  copyOwned(paths.caCert, join(certs, 'CAs', 'dph-ca.crt'), 0o644);
  let pid = minioPid();
  if (pid) {
    step(`minio: already running (pid ${pid}, port ${s.minioPort})`);
  } else {
    for (const [port, env] of [[s.minioPort, 'DPH_STACK_MINIO_PORT'], [s.minioConsolePort, 'DPH_STACK_MINIO_CONSOLE_PORT']] as const) {
      if (await portOpen(port)) throw portTaken('minio', port, env);
    }
    step(`minio: starting (HTTPS, SSE-KMS key ${s.kmsKeyName}) on ${minioEndpoint(s)}`);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: paths.minio,
      MINIO_ROOT_USER: secrets.minioRootUser,
      MINIO_ROOT_PASSWORD: secrets.minioRootPassword,
      // One static key, no KMS server: enough for SSE-KMS semantics in development and CI.
      MINIO_KMS_SECRET_KEY: `${s.kmsKeyName}:${secrets.kmsKey}`,
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
      MINIO_REGION: s.s3Region,
      MINIO_API_REQUESTS_MAX: '400',
      // The scanner (it evaluates lifecycle expiry) at its default pace kept a core 10-20 % busy over a few GB of
      // test objects, on a 2-core box whose benchmarks share it; expiry only needs to happen eventually here.
      MINIO_SCANNER_SPEED: 'slowest',
    };
    pid = spawnDetached(bin, ['server', '--quiet', '--address', `${s.host}:${s.minioPort}`, '--console-address', `${s.host}:${s.minioConsolePort}`, '--certs-dir', certs, join(paths.minio, 'data')], env, minioLog, paths.minio);
  }
  const ok = await waitUntil(() => healthy(s), 60000, 300);
  if (!ok) throw new StackError('stack_start_failed', 'minio did not become ready over HTTPS in 60 s', `see ${minioLog}`);
  return pid;
}

export async function stopMinio(): Promise<void> {
  const pid = minioPid();
  if (pid) await stopPid(pid, 15000);
}
