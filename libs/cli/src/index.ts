export { runCli, buildProgram, EXIT_USAGE } from './program.js';
export { COMMANDS } from './commands/index.js';
export type { CliCommand, CliIo } from './commands/types.js';
