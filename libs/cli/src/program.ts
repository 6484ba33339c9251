import { Command, CommanderError } from 'commander';
import { isDphError } from '@dph/errors';
import { COMMANDS } from './commands/index.js';
import type { CliIo } from './commands/types.js';

/** Exit codes: 0 done, 1 a finding-level or input-line problem, 2 bad usage or configuration. */
export const EXIT_USAGE = 2;

export function buildProgram(io: CliIo): Command {
  const program = new Command('dph')
    .description('doc-preprocess-hub command line')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  const groups = new Map<string, Command>();
  for (const c of COMMANDS) {
    let g = groups.get(c.group);
    if (!g) {
      g = program.command(c.group).exitOverride();
      g.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
      groups.set(c.group, g);
    }
    c.register(g, io);
  }
  return program;
}

/** Parses argv and runs; returns the exit code instead of exiting so tests can call it. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code = 0;
  const scoped: CliIo = { ...io, setExitCode: (c) => (code = Math.max(code, c)) };
  try {
    await buildProgram(scoped).parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    // DphError messages are written to be safe to show (no values); anything else is reported generically.
    io.stderr.write(`dph: ${isDphError(err) ? err.message : 'unexpected error'}\n`);
    return EXIT_USAGE;
  }
  return code;
}
