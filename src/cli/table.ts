/**
 * The command table of the `t4dm` CLI, in the order `t4dm --help` lists them. A new command is one
 * file under `commands/` and one entry here.
 *
 * @module
 */
import type { Command } from "./command.ts";
import {
  completion,
  demo,
  exportCommand,
  feedback,
  forget,
  get,
  history,
  importCommand,
  invalidate,
  keys,
  mcp,
  recall,
  serve,
  stats,
  store,
  update,
} from "./commands/mod.ts";

/** Every command, by name. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map(
  [
    store,
    recall,
    get,
    update,
    invalidate,
    feedback,
    forget,
    history,
    importCommand,
    exportCommand,
    stats,
    serve,
    keys,
    mcp,
    completion,
    demo,
  ]
    .map((c) => [c.name, c]),
);
