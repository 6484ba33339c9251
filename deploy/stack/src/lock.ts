import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StackError } from './errors.js';
import { step } from './log.js';
import { paths } from './paths.js';
import { pidAlive, sleep } from './proc.js';

const lockFile = join(paths.dph, 'stack.lock');

/**
 * Several test runs may call `up` at once (npm test's pretest): one changes the stack at a time, the others wait.
 * A lock left by a dead process is taken over.
 */
export async function withLock<T>(fn: () => Promise<T>, timeoutMs = 900_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch {
      let holder: number;
      try {
        holder = Number(readFileSync(lockFile, 'utf8').trim());
      } catch {
        continue;
      }
      if (!pidAlive(holder)) {
        rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new StackError('stack_locked', `another stack command (pid ${holder}) holds ${lockFile}`);
      if (!announced) step(`waiting for another stack command (pid ${holder}) to finish ...`);
      announced = true;
      await sleep(500);
    }
  }
  const release = () => rmSync(lockFile, { force: true });
  process.once('exit', release);
  try {
    return await fn();
  } finally {
    release();
  }
}
