/** The running local stack as the e2e suites see it: status (pids, ports), restarts, and process memory. */
import { spawn, spawnSync } from 'node:child_process';
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

/** Async form of restartComponent: the caller's event loop (submitters, receivers) keeps running meanwhile. */
export const restartComponentAsync = (name: string, timeoutMs = 180_000) => stackCliAsync(['restart', name], timeoutMs);

export async function stackStatusAsync(): Promise<StackStatus> {
  const r = await stackCliAsync(['status', '--json'], 60_000);
  const line = r.output.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`stack status --json printed no JSON: ${r.output.slice(0, 300)}`);
  return JSON.parse(line) as StackStatus;
}

function stackCliAsync(args: string[], timeoutMs: number): Promise<{ ok: boolean; output: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', join(ROOT, 'deploy/stack/src/main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, output: output.trim(), ms: Date.now() - t0 });
    });
  });
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

/** Queue depths from the broker (`npm run stack -- rabbitmqctl list_queues`), name → ready messages. */
export async function queueDepths(): Promise<Map<string, number>> {
  const r = await stackCliAsync(['rabbitmqctl', 'list_queues', 'name', 'messages'], 90_000);
  const out = new Map<string, number>();
  for (const line of r.output.split('\n')) {
    const m = /^(\S+)\t(\d+)$/.exec(line.trim());
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}
