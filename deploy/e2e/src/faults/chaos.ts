/** The faults, in turn: SIGKILL each service mid-stream and bring it back; restart RabbitMQ, Postgres, MinIO. */
import { restartComponentAsync, SERVICES, stackStatusAsync } from '../stack.js';

export interface FaultRecord {
  fault: string;
  at: number;
  ok: boolean;
  ms: number;
  detail: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const FAULTS: string[] = [...SERVICES.map((s) => `kill:${s}`), 'restart:rabbitmq', 'restart:postgres', 'restart:minio'];

export async function runChaos(opts: { gapMs: number; downMs: number; log: (m: string) => void; stopped: () => boolean }): Promise<FaultRecord[]> {
  const out: FaultRecord[] = [];
  for (const f of FAULTS) {
    await sleep(opts.gapMs);
    if (opts.stopped()) break;
    const [kind, name] = f.split(':') as [string, string];
    const at = Date.now();
    let detail = '';
    if (kind === 'kill') {
      const st = await stackStatusAsync();
      const pid = st.components[name]?.pid;
      if (pid) {
        process.kill(pid, 'SIGKILL');
        detail = `SIGKILL pid ${pid}; `;
        opts.log(`fault: SIGKILL ${name} (pid ${pid})`);
      } else {
        detail = 'not running before the kill; ';
      }
      // Leave it down for a moment so work is genuinely in flight against a dead process.
      await sleep(opts.downMs);
    } else {
      opts.log(`fault: restarting ${name}`);
    }
    const r = await restartComponentAsync(name);
    out.push({ fault: f, at, ok: r.ok, ms: Date.now() - at, detail: detail + (r.ok ? 'back' : `restart failed: ${r.output.split('\n').slice(-3).join(' | ')}`) });
    opts.log(`fault: ${f} → ${r.ok ? 'recovered' : 'RESTART FAILED'} after ${((Date.now() - at) / 1000).toFixed(1)} s`);
  }
  return out;
}
