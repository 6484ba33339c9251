/**
 * Readiness: a set of named dependency checks plus a draining flag. /readyz answers 503 while draining or while
 * any check fails or times out. The body lists each check's state only (ok/failed/timeout), never an error
 * message: driver messages may carry hosts, users or SQL.
 */
export type ReadinessCheck = () => Promise<unknown> | unknown;
export type CheckState = 'ok' | 'failed' | 'timeout';

export interface ReadinessReport {
  status: 'ready' | 'not_ready' | 'draining';
  checks: Record<string, CheckState>;
}

export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();
  private drainingFlag = false;
  constructor(
    checks: Record<string, ReadinessCheck> = {},
    private readonly timeoutMs = 2000,
  ) {
    for (const [name, check] of Object.entries(checks)) this.checks.set(name, check);
  }

  add(name: string, check: ReadinessCheck): this {
    this.checks.set(name, check);
    return this;
  }

  get draining(): boolean {
    return this.drainingFlag;
  }

  markDraining(): void {
    this.drainingFlag = true;
  }

  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await runCheck(check, this.timeoutMs)] as const),
    );
    const checks = Object.fromEntries(entries) as Record<string, CheckState>;
    const allOk = entries.every(([, s]) => s === 'ok');
    const status = this.drainingFlag ? 'draining' : allOk ? 'ready' : 'not_ready';
    return { status, checks };
  }
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckState>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  const run = (async (): Promise<CheckState> => {
    try {
      const r = await check();
      return r === false ? 'failed' : 'ok';
    } catch {
      return 'failed';
    }
  })();
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
