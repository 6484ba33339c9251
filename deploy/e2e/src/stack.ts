/** The running local stack as the e2e suites see it: status (pids, ports), restarts, and process memory. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SERVICES = ['orchestrator-api', 'worker-postproc', 'webhook-dispatcher', 'audit-writer'] as const;
export type Service = (typeof SERVICES)[number];
export const BACKING = ['postgres', 'rabbitmq', 'redis', 'minio'] as const;

export interface ComponentStatus {
  state: string;
  pid?: number;
  port?: number;
  log?: string;
  ready?: boolean;
}
export interface StackStatus {
  ready: boolean;
  components: Record<string, ComponentStatus>;
  apiUrl: string;
  logsDir: string;
}

const stackCli = (args: string[], inherit = false) =>
  spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', join(ROOT, 'deploy/stack/src/main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });

export function stackStatus(): StackStatus {
  const r = stackCli(['status', '--json']);
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`stack status --json printed no JSON (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(line) as StackStatus;
}

/** `npm run stack -- restart <component>`; returns whether it reported success. */
export function restartComponent(name: string): { ok: boolean; output: string } {
  const r = stackCli(['restart', name]);
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

export function stackUp(): boolean {
  return stackCli(['up', '--quiet-if-ready']).status === 0;
}

/** Resident set size in MB from /proc/<pid>/status, or undefined when the process is gone. */
export function rssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The ops URL of a service: health and /metrics (the API serves them on its HTTPS port). */
export function opsUrl(name: Service, st: StackStatus): string {
  const port = st.components[name]?.port;
  return name === 'orchestrator-api' ? `https://127.0.0.1:${port}` : `http://127.0.0.1:${port}`;
}
