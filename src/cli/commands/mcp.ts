/**
 * `t4dm mcp`: serves the memory store to MCP clients, over stdio (default) or streamable HTTP.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { intArg, rateLimitArg } from "../_convert.ts";

/** The `mcp` command. */
export const mcp: Command = {
  name: "mcp",
  summary: "serve the memory store over the Model Context Protocol (stdio, or --http)",
  description: "With no flag, speaks MCP on stdin/stdout (logs go to stderr): point an MCP client at\n" +
    "`deno run -A /path/to/main.ts mcp --data-dir DIR`. With --http, serves streamable HTTP at\n" +
    "http://HOST:PORT/mcp with the daemon's API keys (`t4dm keys add`): once a key exists every\n" +
    "request needs `Authorization: Bearer <key>`, and read-only tools need the read scope, the others\n" +
    "write, within the key's namespaces. Without keys it serves loopback only. Key changes apply\n" +
    "within a second. stdio needs no key.",
  local: true,
  args: [],
  flags: {
    http: { type: "boolean", help: "serve streamable HTTP instead of stdio" },
    port: { type: "string", arg: "PORT", help: "HTTP port (default 7821)" },
    host: {
      type: "string",
      arg: "HOST",
      help: "HTTP address to bind (default 127.0.0.1; anything else needs an API key)",
    },
    "keys-file": { type: "string", arg: "FILE", help: "API keys file (default <data-dir>/keys.json)" },
    "rate-limit": {
      type: "string",
      arg: "N[:BURST]|off",
      help: "HTTP: requests per second per API key, bursts of BURST (default 50:100)",
    },
  },
  examples: [
    "mcp --data-dir ~/.t4dm",
    "mcp --http --port 7821",
    "mcp --http --host 0.0.0.0 --keys-file /etc/t4dm/keys.json",
  ],
  async run(ctx) {
    const { runStdio, serveMcpHttp } = await import("../../mcp/mod.ts");
    const dataDir = ctx.global.dataDir;
    if (!ctx.args.boolean("http")) {
      await runStdio({ dataDir });
      return 0;
    }
    const port = intArg("port", ctx.args.string("port") ?? "7821", 0, 65535, "a port number")!;
    const keysFile = ctx.args.string("keys-file");
    const rate = ctx.args.string("rate-limit");
    const rateLimit = rate === undefined ? undefined : rateLimitArg(rate);
    const ac = new AbortController();
    const stop = () => ac.abort();
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
    try {
      const srv = await serveMcpHttp({
        dataDir,
        port,
        hostname: ctx.args.string("host") ?? "127.0.0.1",
        ...(keysFile ? { keysFile } : {}),
        ...(rateLimit === undefined ? {} : { rateLimit }),
        signal: ac.signal,
      });
      await ctx.err.line(`t4dm mcp: listening on ${srv.url}`);
      await srv.finished;
    } finally {
      Deno.removeSignalListener("SIGINT", stop);
      Deno.removeSignalListener("SIGTERM", stop);
    }
    return 0;
  },
};
