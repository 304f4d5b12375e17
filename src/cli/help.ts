/**
 * Help text, generated from the command table so that it cannot drift from the flags.
 *
 * @module
 */
import type { FlagSpecs } from "./args.ts";
import { type Command, GLOBAL_FLAGS } from "./command.ts";
import { mapError, MemoryError, type MemoryErrorCode } from "../memory/errors.ts";

function flagLines(specs: FlagSpecs): string[] {
  const rows = Object.entries(specs).map(([name, s]) => {
    const left = `${name === "help" ? "-h, " : ""}--${name}${
      s.type === "string" ? ` ${s.arg ?? "VALUE"}` : ""
    }`;
    return [left, s.help + (s.multiple && !s.help.includes("repeatable") ? " (repeatable)" : "")] as const;
  });
  const w = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(w)}  ${h}`);
}

function exitCodes(): string {
  const codes: MemoryErrorCode[] = [
    "VALIDATION",
    "UNAUTHORIZED",
    "FORBIDDEN",
    "NOT_FOUND",
    "CONFLICT",
    "RATE_LIMITED",
    "UNAVAILABLE",
  ];
  const byExit = new Map<number, string[]>([[0, ["ok"]], [mapError(new Error("x")).exitCode, [
    "internal error",
  ]]]);
  for (const c of codes) {
    const e = mapError(new MemoryError(c, "x")).exitCode;
    byExit.set(e, [...(byExit.get(e) ?? []), c.toLowerCase().replace("_", " ")]);
  }
  return [...byExit].sort(([a], [b]) => a - b).map(([e, names]) => `${e} ${names.join(" or ")}`).join(", ");
}

/** `t4dm --help`. */
export function mainHelp(commands: Iterable<Command>): string {
  const list = [...commands].filter((c) => !c.hidden);
  const w = Math.max(...list.map((c) => c.name.length));
  return [
    "t4dm — temporal memory for AI agents",
    "",
    "Usage:",
    "  t4dm <command> [arguments] [flags]",
    "  t4dm help <command>",
    "",
    "Commands:",
    ...list.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    "",
    "Global flags (every command):",
    ...flagLines(GLOBAL_FLAGS),
    "",
    "With --url (or $T4DM_URL) the memory commands act through a running `t4dm serve` instead of the",
    `local data directory, with the same output and exit codes; ${
      list.filter((c) => c.local).map((c) => c.name).join(", ")
    } are local only.`,
    "",
    `Exit codes: ${exitCodes()}.`,
    'Errors go to stderr as one line; with --json also to stdout as {"error": {...}}.',
    "",
  ].join("\n");
}

/** `t4dm <command> --help`. */
export function commandHelp(c: Command): string {
  const usage = [`t4dm ${c.name}`, ...c.args.map((a) => `<${a.name}>`), "[flags]"].join(" ");
  const out = [`t4dm ${c.name} — ${c.summary}`, "", "Usage:", `  ${usage}`, ""];
  if (c.description) out.push(c.description, "");
  if (c.local) out.push("Local only: works on --data-dir and takes no --url ($T4DM_URL is ignored).", "");
  if (c.args.length) {
    const w = Math.max(...c.args.map((a) => a.name.length + 2));
    out.push("Arguments:", ...c.args.map((a) => `  ${`<${a.name}>`.padEnd(w)}  ${a.help}`), "");
  }
  if (Object.keys(c.flags).length) out.push("Flags:", ...flagLines(c.flags), "");
  out.push("Global flags:", ...flagLines(GLOBAL_FLAGS), "");
  if (c.examples.length) out.push("Examples:", ...c.examples.map((e) => `  t4dm ${e}`), "");
  return out.join("\n");
}
