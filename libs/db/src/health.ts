import type { Pool } from './pool.js';

export interface DbHealth {
  ok: boolean;
  latencyMs: number;
  /** A short, value-free reason (never a connection string or a server message that could hold one). */
  reason?: string;
}

/** Readiness probe: one round trip, bounded by timeoutMs even when the server hangs. */
export async function checkDatabase(pool: Pool, timeoutMs = 2_000): Promise<DbHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pool.query('SELECT 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return { ok: true, latencyMs: performance.now() - started };
  } catch (err) {
    const reason = err instanceof Error && err.message === 'timeout' ? 'timeout' : pgReason(err);
    return { ok: false, latencyMs: performance.now() - started, reason };
  } finally {
    clearTimeout(timer);
  }
}

function pgReason(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return 'unreachable';
}
