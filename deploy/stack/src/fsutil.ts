import { chownSync, copyFileSync, chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, isRoot } from './proc.js';

/** uid/gid of an OS user (undefined when it does not exist or we are not root, in which case we own everything). */
export function userIds(user: string): { uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  const r = run('id', ['-u', user], { allowFail: true });
  if (r.status !== 0) return undefined;
  const g = run('id', ['-g', user]);
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** Daemons that drop privileges (postgres, rabbitmq) must own their data, logs and TLS keys. */
export function chownTree(path: string, user: string): void {
  const ids = userIds(user);
  if (!ids || !existsSync(path)) return;
  const walk = (p: string) => {
    chownSync(p, ids.uid, ids.gid);
    if (statSync(p).isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(path);
}

export function ensureDir(path: string, mode = 0o755, owner?: string): void {
  mkdirSync(path, { recursive: true, mode });
  chmodSync(path, mode);
  if (owner) {
    const ids = userIds(owner);
    if (ids) chownSync(path, ids.uid, ids.gid);
  }
}

export function copyOwned(src: string, dst: string, mode: number, owner?: string): void {
  copyFileSync(src, dst);
  chmodSync(dst, mode);
  if (owner) {
    const ids = userIds(owner);
    if (ids) chownSync(dst, ids.uid, ids.gid);
  }
}

/** Creates (or keeps) a log file that a daemon running as `owner` can append to. */
export function ownedFile(path: string, owner?: string, mode = 0o640): void {
  if (!existsSync(path)) writeFileSync(path, '', { mode });
  if (owner) {
    const ids = userIds(owner);
    if (ids) chownSync(path, ids.uid, ids.gid);
  }
}
