/**
 * The shape of a CLI command and what it runs with. A command is a thin adapter: it turns flags into a
 * call on a {@linkcode MemoryService} and renders the result. The service is the local {@linkcode T4DM}
 * today; a client of the HTTP daemon (`--url`, `--api-key`) can stand in for it without touching the
 * commands, since it only has to implement the same methods.
 *
 * @module
 */
import type { FlagSpecs, ParsedArgs } from "./args.ts";
import type { T4DM } from "../memory/t4dm.ts";
import type { Output } from "./_output.ts";

/** What a command may call: the memory library's surface. */
export type MemoryService = Pick<
  T4DM,
  "store" | "recall" | "get" | "update" | "invalidate" | "forget" | "history" | "export" | "import" | "stats"
>;

/** Flags every command accepts. */
export const GLOBAL_FLAGS: FlagSpecs = {
  "data-dir": {
    type: "string",
    arg: "DIR",
    help: "data directory (default: $T4DM_DATA_DIR, else .t4dm/data under the current directory)",
  },
  namespace: { type: "string", arg: "NS", help: 'namespace (tenant) to act in (default: "default")' },
  json: { type: "boolean", help: "print one JSON document on stdout instead of readable text" },
  help: { type: "boolean", help: "show this help" },
};

/** Global options, resolved. */
export interface GlobalOptions {
  /** Data directory. */
  dataDir: string;
  /** Namespace, when given. */
  namespace?: string;
  /** Machine output. */
  json: boolean;
}

/** What a command runs with. */
export interface Context {
  /** The command's name, for messages. */
  command: string;
  /** Positionals and flags (global flags included). */
  args: ParsedArgs;
  /** Global options. */
  global: GlobalOptions;
  /** The memory service, opened on first use and closed by the runner. */
  memory(): Promise<MemoryService>;
  /** Standard output: protocol only (results, JSON). */
  out: Output;
  /** Standard error: diagnostics, progress, warnings. */
  err: Output;
}

/** A positional argument. */
export interface ArgSpec {
  /** Name shown in usage, e.g. `"content"`. */
  name: string;
  /** One line of help. */
  help: string;
}

/** One CLI command. */
export interface Command {
  /** Name typed after `t4dm`. */
  name: string;
  /** One-line summary for `t4dm --help`. */
  summary: string;
  /** Longer description for `t4dm <command> --help`. */
  description?: string;
  /** Positional arguments, all required. */
  args: readonly ArgSpec[];
  /** The command's own flags (the global ones are added). */
  flags: FlagSpecs;
  /** Example invocations, without the leading `t4dm `. */
  examples: readonly string[];
  /** Hidden from `t4dm --help` (still runs, still has help). @default false */
  hidden?: boolean;
  /** Runs the command; returns the exit code. Errors thrown are mapped by `mapError`. */
  run(ctx: Context): Promise<number>;
}
