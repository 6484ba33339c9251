import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { StackError } from './errors.js';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  /** Run as this OS user (only when we are root; otherwise as ourselves). */
  user?: string;
  /** Pass stdout/stderr through (long installs show their own progress). */
  inherit?: boolean;
  allowFail?: boolean;
  timeoutMs?: number;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

function wrap(cmd: string, args: string[], user: string | undefined): [string, string[]] {
  if (user && isRoot) return ['runuser', ['-u', user, '--', cmd, ...args]];
  return [cmd, args];
}

/** Runs a command to completion; a failure becomes a StackError carrying the tail of its stderr. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): RunResult {
  const [c, a] = wrap(cmd, args, opts.user);
  const o: SpawnSyncOptions = {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    input: opts.input,
    stdio: opts.inherit ? ['ignore', 'inherit', 'inherit'] : 'pipe',
    encoding: 'utf8',
    timeout: opts.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  };
  const r = spawnSync(c, a, o);
  const res: RunResult = {
    status: r.status ?? (r.error ? 127 : 1),
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
  };
  if (res.status !== 0 && !opts.allowFail) {
    const tail = (res.stderr || res.stdout).trim().split('\n').slice(-8).join('\n');
    throw new StackError('stack_command_failed', `${cmd} ${args[0] ?? ''} failed (exit ${res.status})${tail ? `:\n${tail}` : ''}`, undefined, r.error);
  }
  return res;
}

export function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : undefined;
}

/** Starts a long-running process detached from this command, output appended to a log file; returns its pid. */
export function spawnDetached(cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, cwd?: string): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new StackError('stack_spawn_failed', `could not start ${cmd}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function pidAlive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A zombie left by a dead child is not "running".
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or the timeout passes. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

/** Sends SIGTERM, waits, then SIGKILL: `down` must not leave a half-dead process holding a port. */
export async function stopPid(pid: number, graceMs = 15000, group = false): Promise<void> {
  const target = group ? -pid : pid;
  try {
    process.kill(target, 'SIGTERM');
  } catch {
    if (!group) return;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
  }
  if (await waitUntil(() => !pidAlive(pid), graceMs, 100)) return;
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    // already gone
  }
  await waitUntil(() => !pidAlive(pid), 3000, 100);
}
