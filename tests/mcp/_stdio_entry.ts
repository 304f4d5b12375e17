/**
 * Subprocess entry of tests/mcp/mcp_stdio_test.ts: serves MCP on stdio over the data directory given as
 * the first argument, like `t4dm mcp --data-dir <dir>` will.
 *
 * @module
 */
import { runStdio } from "../../src/mcp/mod.ts";

const dataDir = Deno.args[0];
if (!dataDir) {
  console.error("usage: _stdio_entry.ts <data-dir>");
  Deno.exit(2);
}
await runStdio({ dataDir });
Deno.exit(0);
