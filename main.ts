/**
 * The `t4dm` command line: `t4dm --help` lists the commands. Dispatch only; the commands live in
 * `src/cli/`.
 *
 * @module
 */
import { runCli } from "./src/cli/mod.ts";

if (import.meta.main) {
  // stdout is for protocol: anything a dependency logs goes to stderr, never between JSON documents.
  console.log = console.info = console.debug = console.error;
  Deno.exit(await runCli(Deno.args));
}
