import type { Command } from 'commander';

/** What a command file exports: it attaches itself (and its sub-commands) to the program. */
export interface CliCommand {
  /** Top-level group name, e.g. "pii" for `dph pii scan`; commands of one group share the group command. */
  group: string;
  register(group: Command, io: CliIo): void;
}

/** The process surface a command may use; tests pass their own. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Set the exit code the CLI ends with. */
  setExitCode(code: number): void;
}
