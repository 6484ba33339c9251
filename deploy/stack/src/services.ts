import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { portTaken } from './errors.js';
import { serviceProcessEnv } from './env.js';
import { step } from './log.js';
import { paths } from './paths.js';
import { cmdline, pidAlive, portOpen, spawnDetached, stopPid, waitUntil } from './proc.js';
import { SERVICE_PORT_ENV, type ServiceName, type Settings } from './settings.js';
import { forgetComponent, loadState, recordComponent, type Secrets } from './state.js';

export const mainFile = (name: ServiceName) => join(paths.root, 'services', name, 'src', 'main.ts');
export const serviceLog = (name: ServiceName) => join(paths.logs, `${name}.log`);

/** A service takes part once its main.ts has content; until then the stack says so and moves on. */
export function serviceExists(name: ServiceName): boolean {
  const f = mainFile(name);
  return existsSync(f) && statSync(f).size > 0;
}

/** Newest modification time under the service's src/ (a running copy may be older than the code). */
function newestSource(name: ServiceName): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  try {
    walk(join(paths.root, 'services', name, 'src'));
  } catch {
    // unreadable tree: no hint
  }
  return newest;
}

export function servicePid(name: ServiceName): number | undefined {
  const pid = loadState()[name]?.pid;
  return pid && pidAlive(pid) && cmdline(pid).includes(mainFile(name)) ? pid : undefined;
}

export function readyUrl(name: ServiceName, s: Settings): string {
  const scheme = name === 'orchestrator-api' ? 'https' : 'http';
  return `${scheme}://${s.host}:${s.servicePorts[name]}/readyz`;
}

export function probeReady(name: ServiceName, s: Settings): Promise<number> {
  const url = readyUrl(name, s);
  return new Promise((resolve) => {
    const cb = (res: import('node:http').IncomingMessage) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    };
    const req = url.startsWith('https:')
      ? httpsRequest(url, { ca: readFileSync(paths.caCert), timeout: 2000 }, cb)
      : httpRequest(url, { timeout: 2000 }, cb);
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export interface ServiceOutcome {
  name: ServiceName;
  ok: boolean;
  detail: string;
}

export async function startService(name: ServiceName, s: Settings, secrets: Secrets): Promise<ServiceOutcome> {
  const port = s.servicePorts[name];
  const log = serviceLog(name);
  if (!serviceExists(name)) {
    step(`${name}: not yet implemented (services/${name}/src/main.ts is empty), skipped`);
    return { name, ok: true, detail: 'absent' };
  }
  let pid = servicePid(name);
  if (pid) {
    step(`${name}: already running (pid ${pid}, port ${port})`);
    const since = loadState()[name]?.startedAt;
    if (since && newestSource(name) > Date.parse(since)) {
      step(`${name}: its sources changed since it started; to run the new code: npm run stack -- restart ${name}`);
    }
  } else {
    if (await portOpen(port)) throw portTaken(name, port, SERVICE_PORT_ENV[name]);
    step(`${name}: starting on port ${port} (log ${log})`);
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      LANG: 'C.UTF-8',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...serviceProcessEnv(name, s, secrets),
    };
    pid = spawnDetached(process.execPath, ['--conditions=development', '--import', 'tsx', mainFile(name)], env, log, paths.root);
    recordComponent(name, { pid, port, startedAt: new Date().toISOString(), log });
  }
  const started = pid;
  let lastStatus = 0;
  const ok = await waitUntil(async () => {
    if (!pidAlive(started)) return true; // stop waiting: it died
    lastStatus = await probeReady(name, s);
    return lastStatus === 200;
  }, s.readyTimeoutMs, 300);
  if (!pidAlive(started)) {
    forgetComponent(name);
    return { name, ok: false, detail: `exited during start-up; see ${log}` };
  }
  if (!ok) return { name, ok: false, detail: `not ready after ${s.readyTimeoutMs / 1000} s (last /readyz status ${lastStatus || 'no answer'}); see ${log}` };
  step(`${name}: ready (${readyUrl(name, s)})`);
  return { name, ok: true, detail: 'ready' };
}

export async function stopService(name: ServiceName): Promise<void> {
  const pid = servicePid(name);
  if (pid) {
    step(`${name}: stopping (pid ${pid})`);
    await stopPid(pid, 25000);
  }
  forgetComponent(name);
}
