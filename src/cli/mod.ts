/**
 * The `t4dm` command line: a runner, a command table whose commands are thin adapters over the memory
 * service, a small flag parser and a progress report for long commands.
 *
 * @module
 */
export { runCli, type RunOptions } from "./run.ts";
export { COMMANDS } from "./table.ts";
export type { ArgSpec, Command, Context, GlobalOptions, MemoryService } from "./command.ts";
export { GLOBAL_FLAGS } from "./command.ts";
export {
  closest,
  type FlagSpec,
  type FlagSpecs,
  parseArgs,
  ParsedArgs,
  type ParseOptions,
  UsageError,
} from "./args.ts";
export { formatBytes, formatDuration, Progress, type ProgressOptions } from "./progress.ts";
