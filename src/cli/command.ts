/**
 * The shape of a CLI command and what it runs with. A command is a thin adapter: it turns flags into a
 * call on a {@linkcode MemoryService} and renders the result. The service is the local {@linkcode T4DM},
 * or with `--url` a client of the HTTP daemon (`_remote.ts`) that implements the same methods.
 *
 * @module
 */
import type { FlagSpecs, ParsedArgs } from "./args.ts";
import type { MemoryStats, T4DM } from "../memory/t4dm.ts";
import type { Output } from "./_output.ts";

/** What `import` reports: the library's result; a daemon also counts failures beyond those it lists. */
export interface ImportOutcome {
  /** Memories stored. */
  imported: number;
  /** Failed lines (a daemon lists at most the first 1000). */
  failed: { line: number; error: string }[];
  /** Every failed line, when `failed` may be cut short (a daemon's answer). */
  failedCount?: number;
}

/**
 * What `stats` reports: the library's figures, or a daemon's, whose `engine` figures come only for an
 * admin key and as plain JSON.
 */
export interface ServiceStats {
  /** Counts per namespace (a daemon shows only those the key may read). */
  namespaces: Record<string, { memories: number; vectors: number }>;
  /** The embedder's id. */
  embedder: string;
  /** What runs the embedder. */
  embedderRuntime: string;
  /** Engine figures, when known. */
  engine?: MemoryStats["engine"] | Record<string, unknown>;
}

/** The library's methods that commands call with the library's own signatures. */
type LibraryMethods =
  | "store"
  | "recall"
  | "get"
  | "update"
  | "invalidate"
  | "feedback"
  | "forget"
  | "history"
  | "export";

/**
 * What a command may call: the memory library's surface. {@linkcode T4DM} implements it as is; the
 * daemon's client differs only where the wire does (`import` and `stats` results).
 */
export interface MemoryService extends Pick<T4DM, LibraryMethods> {
  /** Stores memories from JSON lines; bad lines are reported, not thrown. */
  import(
    lines: AsyncIterable<string> | Iterable<string>,
    options?: { namespace?: string; onProgress?: (done: number) => void },
  ): Promise<ImportOutcome>;
  /** Counts per namespace and, when known, the engine's figures. */
  stats(): Promise<ServiceStats>;
}

/** Flags every command accepts. */
export const GLOBAL_FLAGS: FlagSpecs = {
  "data-dir": {
    type: "string",
    arg: "DIR",
    help: "data directory (default: $T4DM_DATA_DIR, else .t4dm/data under the current directory)",
  },
  url: {
    type: "string",
    arg: "URL",
    help: "act through the daemon at URL, e.g. http://127.0.0.1:8765 (default: $T4DM_URL, else local)",
  },
  "api-key": {
    type: "string",
    arg: "KEY",
    help: "API key for the daemon at --url (default: $T4DM_API_KEY)",
  },
  namespace: { type: "string", arg: "NS", help: 'namespace (tenant) to act in (default: "default")' },
  json: { type: "boolean", help: "print one JSON document on stdout instead of readable text" },
  help: { type: "boolean", help: "show this help" },
};

/** Global options, resolved. */
export interface GlobalOptions {
  /** Data directory (unused when `url` is set). */
  dataDir: string;
  /** The daemon to act through, when not local. */
  url?: string;
  /** API key for the daemon. */
  apiKey?: string;
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
  /** Works on the local data directory only: `--url` is a usage error and `$T4DM_URL` is ignored. @default false */
  local?: boolean;
  /** Hidden from `t4dm --help` (still runs, still has help). @default false */
  hidden?: boolean;
  /** Runs the command; returns the exit code. Errors thrown are mapped by `mapError`. */
  run(ctx: Context): Promise<number>;
}
