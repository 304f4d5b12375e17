/**
 * The `t4dm` command-line runner: finds the command, parses its flags, opens the memory service when
 * the command first asks for it (the local store, or the daemon at `--url`), runs the command, and
 * reports errors through the one error mapping (`mapError`): one line `t4dm <command>: <message>` on
 * stderr, plus `{"error": {...}}` on stdout with `--json`.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { mapError } from "../memory/errors.ts";
import { NamespaceSchema, parse } from "../memory/schema.ts";
import { closest, type FlagSpecs, parseArgs, type ParsedArgs, UsageError } from "./args.ts";
import { type Command, type Context, GLOBAL_FLAGS, type GlobalOptions } from "./command.ts";
import { type ClosableService, connect } from "./_connect.ts";
import { commandHelp, mainHelp } from "./help.ts";
import { Output, type RawWriter } from "./_output.ts";
import { COMMANDS } from "./table.ts";

/** Options of {@linkcode runCli}. */
export interface RunOptions {
  /** Environment lookup. @default Deno.env.get */
  env?: (name: string) => string | undefined;
  /** Standard output. @default Deno.stdout */
  stdout?: RawWriter;
  /** Standard error. @default Deno.stderr */
  stderr?: RawWriter;
  /** Opens the memory service. @default the local library on the data directory */
  connect?: (global: GlobalOptions) => Promise<ClosableService>;
}

const NAMESPACE = z.object({ namespace: NamespaceSchema });

/** Index of the command name: the first argument that is neither a global flag nor its value. */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return i + 1 < argv.length ? i + 1 : -1;
    if (a === "-h") continue;
    if (!a.startsWith("--")) return i;
    const name = a.slice(2).split("=")[0]!;
    const spec = GLOBAL_FLAGS[name];
    if (!spec) {
      throw new UsageError(`unknown flag "--${name}" before the command (a command's own flags go after it)`);
    }
    if (spec.type === "string" && !a.includes("=")) i++;
  }
  return -1;
}

function usageCheck(c: Command, positionals: readonly string[]): void {
  if (positionals.length === c.args.length) return;
  const want = c.args.length ? c.args.map((a) => `<${a.name}>`).join(" ") : "no arguments";
  const got = positionals.length ? positionals.map((p) => JSON.stringify(p)).join(" ") : "none";
  const hint = positionals.length > c.args.length && c.args.length ? " (quote text that has spaces)" : "";
  throw new UsageError(`expected ${want}, got ${got}${hint}`);
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and returns the exit code.
 *
 * @example Help needs no data directory
 * ```ts
 * import { runCli } from "./run.ts";
 * const chunks: Uint8Array[] = [];
 * const stdout = { write: (p: Uint8Array) => (chunks.push(p.slice()), Promise.resolve(p.length)), isTerminal: () => false };
 * const code = await runCli(["store", "--help"], { stdout });
 * const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
 * if (code !== 0 || !text.includes("--importance")) throw new Error(text);
 * ```
 */
export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const env = options.env ?? ((n: string) => Deno.env.get(n));
  const out = new Output(options.stdout ?? Deno.stdout);
  const err = new Output(options.stderr ?? Deno.stderr);
  let label = "t4dm";
  let json = argv.includes("--json");
  let service: Promise<ClosableService> | undefined;
  let code: number;
  try {
    const at = commandIndex(argv);
    const name = at < 0 ? undefined : argv[at]!;
    const rest = at < 0 ? [...argv] : [...argv.slice(0, at), ...argv.slice(at + 1)];
    if (name === undefined || name === "help") {
      const args = parseArgs(rest, GLOBAL_FLAGS);
      const topic = args.positionals[0];
      if (topic === undefined) {
        await out.write(mainHelp(COMMANDS.values()));
        return 0;
      }
      const c = COMMANDS.get(topic);
      if (!c) throw unknownCommand(topic);
      await out.write(commandHelp(c));
      return 0;
    }
    const c = COMMANDS.get(name);
    if (!c) throw unknownCommand(name);
    label = `t4dm ${c.name}`;
    const specs: FlagSpecs = { ...GLOBAL_FLAGS, ...c.flags };
    const args = parseArgs(rest, specs, { positionals: c.args.length > 0 });
    json = args.boolean("json");
    if (args.boolean("help")) {
      await out.write(commandHelp(c));
      return 0;
    }
    usageCheck(c, args.positionals);
    const global: GlobalOptions = {
      dataDir: args.string("data-dir") ?? env("T4DM_DATA_DIR") ?? join(Deno.cwd(), ".t4dm", "data"),
      json,
      ...daemon(c, args, env),
    };
    const ns = args.string("namespace");
    if (ns !== undefined) global.namespace = parse(NAMESPACE, { namespace: ns }, "use namespace").namespace;
    const ctx: Context = {
      command: c.name,
      args,
      global,
      memory: () => (service ??= (options.connect ?? connect)(global)),
      out,
      err,
    };
    code = await c.run(ctx);
  } catch (e) {
    code = await report(e, { label, json, out, err, debug: env("T4DM_DEBUG") !== undefined });
  }
  if (service) {
    try {
      await (await service).close();
    } catch (e) {
      // A service that failed to open was reported above; a failed close is reported here.
      const opened = await service.then(() => true, () => false);
      if (opened && code === 0) code = await report(e, { label, json, out, err, debug: false });
    }
  }
  return code;
}

/**
 * The daemon to act through: `--url`, else `$T4DM_URL` unless `--data-dir` was given; never for a
 * local-only command. The API key comes with it: `--api-key`, else `$T4DM_API_KEY`.
 *
 * @throws {UsageError} `--url` on a local-only command or with `--data-dir`, `--api-key` without a
 * daemon, or a URL that is not http(s).
 */
function daemon(
  c: Command,
  args: ParsedArgs,
  env: (name: string) => string | undefined,
): Pick<GlobalOptions, "url" | "apiKey"> {
  const flag = args.string("url");
  if (flag !== undefined && c.local) {
    throw new UsageError(`"${c.name}" works on a local data directory only and takes no --url`, {
      field: "--url",
    });
  }
  if (flag !== undefined && args.has("data-dir")) {
    throw new UsageError("give either --url or --data-dir, not both", { field: "--url" });
  }
  const url = c.local || args.has("data-dir") ? undefined : flag ?? (env("T4DM_URL") || undefined);
  const keyFlag = args.string("api-key");
  if (url === undefined) {
    if (keyFlag !== undefined) {
      throw new UsageError(
        c.local
          ? `"${c.name}" works locally and takes no --api-key`
          : 'flag "--api-key" needs --url (or $T4DM_URL)',
        { field: "--api-key" },
      );
    }
    return {};
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch { /* reported below */ }
  if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    const from = flag === undefined ? "$T4DM_URL" : `flag "--url"`;
    throw new UsageError(`${from} needs an http:// or https:// URL, got ${JSON.stringify(url)}`, {
      field: "--url",
    });
  }
  const apiKey = keyFlag ?? (env("T4DM_API_KEY") || undefined);
  return apiKey === undefined ? { url } : { url, apiKey };
}

function unknownCommand(name: string): UsageError {
  const hint = closest(name, COMMANDS.keys());
  return new UsageError(
    `unknown command ${JSON.stringify(name)}${hint ? ` (did you mean "${hint}"?)` : ""}; ` +
      `run "t4dm --help" for the list`,
  );
}

async function report(
  e: unknown,
  o: { label: string; json: boolean; out: Output; err: Output; debug: boolean },
): Promise<number> {
  if (e instanceof Deno.errors.BrokenPipe) return 0; // the reader of stdout went away (`| head`)
  const m = mapError(e);
  const message = e instanceof Error ? e.message : String(e);
  const hint = e instanceof UsageError && o.label !== "t4dm" ? `; see "${o.label} --help"` : "";
  await o.err.line(`${o.label}: ${message.replace(/\s*\n\s*/g, " ")}${hint}`);
  if (o.debug && e instanceof Error && e.stack) await o.err.line(e.stack);
  if (o.json) {
    const error: Record<string, unknown> = { code: m.code, title: m.title, message };
    const field = (e as { field?: unknown }).field;
    if (typeof field === "string") error.field = field;
    await o.out.json({ error });
  }
  return m.exitCode;
}
