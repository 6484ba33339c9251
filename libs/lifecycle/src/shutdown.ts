/**
 * Shutdown coordinator (DESIGN §8.6). On SIGTERM/SIGINT: readiness goes 503 at once, then the registered steps
 * run in registration order (stop accepting, cancel consumers, drain in-flight work, close channels, close
 * pools). Every step runs even if an earlier one failed; the whole sequence has a hard timeout. Exit code 0 on a
 * clean drain, 1 on a failed step or the timeout.
 */
import type { Readiness } from './readiness.js';

export type ShutdownStep = () => Promise<unknown> | unknown;

export interface ShutdownLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ShutdownOptions {
  timeoutMs: number;
  readiness?: Readiness;
  logger?: ShutdownLogger;
  /** Called with the exit code at the end (default: process.exit). */
  exit?: (code: number) => void;
}

export class Shutdown {
  private readonly steps: { name: string; fn: ShutdownStep }[] = [];
  private running: Promise<number> | undefined;
  private readonly onSignal = (signal: NodeJS.Signals) => void this.run(signal);

  constructor(private readonly opts: ShutdownOptions) {}

  get started(): boolean {
    return this.running !== undefined;
  }

  /** Adds a step; steps run in the order they were added. */
  add(name: string, fn: ShutdownStep): this {
    this.steps.push({ name, fn });
    return this;
  }

  /** Registers SIGTERM and SIGINT handlers. */
  install(): this {
    process.once('SIGTERM', this.onSignal);
    process.once('SIGINT', this.onSignal);
    return this;
  }

  /**
   * Runs the sequence once (later calls return the same result) and then calls exit with the code.
   * `minExitCode` lets a fatal error still drain but end non-zero.
   */
  run(reason = 'shutdown', minExitCode = 0): Promise<number> {
    this.running ??= this.sequence(reason).then((result) => {
      const code = Math.max(result, minExitCode);
      process.off('SIGTERM', this.onSignal);
      process.off('SIGINT', this.onSignal);
      (this.opts.exit ?? ((c: number) => process.exit(c)))(code);
      return code;
    });
    return this.running;
  }

  private async sequence(reason: string): Promise<number> {
    const log = this.opts.logger;
    this.opts.readiness?.markDraining();
    log?.info({ reason, steps: this.steps.map((s) => s.name) }, 'shutdown started');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.opts.timeoutMs);
    });
    const steps = (async () => {
      let failed = 0;
      for (const step of this.steps) {
        try {
          await step.fn();
        } catch (err) {
          failed++;
          log?.error({ step: step.name, err }, 'shutdown step failed');
        }
      }
      return failed;
    })();
    const outcome = await Promise.race([steps, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      log?.error({ timeoutMs: this.opts.timeoutMs }, 'shutdown timed out');
      return 1;
    }
    log?.info({ failedSteps: outcome }, outcome === 0 ? 'shutdown complete' : 'shutdown finished with failures');
    return outcome === 0 ? 0 : 1;
  }
}
