/**
 * A small command-line flag parser: `--flag value`, `--flag=value`, boolean flags, repeated flags,
 * `-h` for `--help`, and `--` to end the flags (skipped for a command without positional arguments).
 * Unknown flags and missing values are usage errors.
 *
 * @module
 */
import { MemoryError } from "../memory/errors.ts";

/** How one flag is read. */
export interface FlagSpec {
  /** `"string"` takes a value; `"boolean"` takes none (or `=true` / `=false`). */
  type: "string" | "boolean";
  /** Whether the flag may repeat; its values are collected in order. @default false */
  multiple?: boolean;
  /** Name of the value in help text, e.g. `"N"`. @default "VALUE" */
  arg?: string;
  /** One line of help. */
  help: string;
}

/** Flags by name (without the leading dashes). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** Options of {@linkcode parseArgs}. */
export interface ParseOptions {
  /**
   * Whether the command takes positional arguments. When it takes none, `--` has nothing to protect
   * and is skipped, so flags after it are still read: `deno task start -- --port 8793` passes its `--`
   * on to `t4dm serve`. When it takes some, everything after `--` is positional (text that starts with
   * a dash). @default true
   */
  positionals?: boolean;
}

/**
 * A usage error: an unknown command or flag, a missing value, the wrong number of arguments.
 * It is a VALIDATION {@linkcode MemoryError}, so the one error mapping gives it exit code 2.
 */
export class UsageError extends MemoryError {
  constructor(message: string, options: { field?: string } = {}) {
    super("VALIDATION", message, options);
    this.name = "UsageError";
  }
}

/** The result of {@linkcode parseArgs}. */
export class ParsedArgs {
  /** Positional arguments, in order. */
  readonly positionals: string[];
  readonly #values: Map<string, string | boolean | string[]>;

  constructor(positionals: string[], values: Map<string, string | boolean | string[]>) {
    this.positionals = positionals;
    this.#values = values;
  }

  /** Whether the flag was given. */
  has(name: string): boolean {
    return this.#values.has(name);
  }

  /** The value of a single string flag, or undefined. */
  string(name: string): string | undefined {
    const v = this.#values.get(name);
    return typeof v === "string" ? v : undefined;
  }

  /** The values of a repeated flag (empty when absent). */
  strings(name: string): string[] {
    const v = this.#values.get(name);
    return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
  }

  /** Whether a boolean flag is on. */
  boolean(name: string): boolean {
    return this.#values.get(name) === true;
  }
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length]!;
}

/**
 * The closest of `names` to `word` within two edits, for "did you mean" hints.
 *
 * @example
 * ```ts
 * import { closest } from "./args.ts";
 * if (closest("namspace", ["namespace", "json"]) !== "namespace") throw new Error("no suggestion");
 * ```
 */
export function closest(word: string, names: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const n of names) {
    const d = distance(word, n);
    if (d < bestD) [best, bestD] = [n, d];
  }
  return best;
}

/**
 * Parses `argv` against `specs`.
 *
 * A value may not start with `--` when given as a separate argument (`--content --x` is almost always
 * a forgotten value); write `--content=--x` instead. Everything after `--` is positional, unless
 * `options.positionals` is false: then each `--` is skipped and parsing goes on.
 *
 * @param argv The arguments, without the program and command names.
 * @param specs The flags this command accepts.
 * @param options Whether the command takes positional arguments.
 * @returns The positionals and flag values.
 * @throws {UsageError} An unknown flag, a missing value, or a non-repeatable flag given twice.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const a = parseArgs(["hi", "--tag", "a", "--tag=b", "--json"], {
 *   tag: { type: "string", multiple: true, help: "" },
 *   json: { type: "boolean", help: "" },
 * });
 * if (a.strings("tag").join() !== "a,b" || !a.boolean("json") || a.positionals[0] !== "hi") {
 *   throw new Error("misparsed");
 * }
 * ```
 *
 * @example A `--` before the flags of a command without positionals is skipped
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const specs = { port: { type: "string", help: "" } } as const;
 * const a = parseArgs(["--", "--port", "8793"], specs, { positionals: false });
 * if (a.string("port") !== "8793" || a.positionals.length !== 0) throw new Error("misparsed");
 * ```
 */
export function parseArgs(argv: readonly string[], specs: FlagSpecs, options: ParseOptions = {}): ParsedArgs {
  const positionals: string[] = [];
  const values = new Map<string, string | boolean | string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      if (options.positionals === false) continue;
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === "-h") {
      values.set("help", true);
      continue;
    }
    if (!a.startsWith("--")) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (!spec) {
      const hint = closest(name, Object.keys(specs));
      throw new UsageError(
        `unknown flag "--${name}"${hint ? ` (did you mean "--${hint}"?)` : ""}`,
        { field: `--${name}` },
      );
    }
    let value: string | boolean;
    if (spec.type === "boolean") {
      const raw = eq < 0 ? "true" : a.slice(eq + 1);
      if (raw !== "true" && raw !== "false") {
        throw new UsageError(`flag "--${name}" takes no value, got ${JSON.stringify(raw)}`, {
          field: `--${name}`,
        });
      }
      value = raw === "true";
    } else if (eq >= 0) {
      value = a.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) {
        throw new UsageError(
          `flag "--${name}" needs a value${
            next === undefined ? "" : ` (use --${name}=${next} for a value starting with "--")`
          }`,
          { field: `--${name}` },
        );
      }
      value = next;
      i++;
    }
    if (spec.multiple) {
      const list = values.get(name);
      values.set(name, [...(Array.isArray(list) ? list : []), value as string]);
    } else if (values.has(name) && spec.type !== "boolean") {
      throw new UsageError(`flag "--${name}" was given twice`, { field: `--${name}` });
    } else {
      values.set(name, value);
    }
  }
  return new ParsedArgs(positionals, values);
}
