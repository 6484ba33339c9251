/** Progress output of the stack command: one line per step, so a slow first run shows where it is. */
const started = Date.now();

export function step(msg: string): void {
  process.stdout.write(`[stack ${elapsedSeconds().padStart(5)}s] ${msg}\n`);
}
export function warn(msg: string): void {
  process.stderr.write(`[stack] WARNING: ${msg}\n`);
}
export function elapsedSeconds(): string {
  return ((Date.now() - started) / 1000).toFixed(1);
}
