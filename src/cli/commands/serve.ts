/**
 * `t4dm serve`: the HTTP daemon (versioned REST API, API keys, OpenAPI at /openapi.json).
 *
 * @module
 */
import type { Command } from "../command.ts";
import { UsageError } from "../args.ts";
import { intArg, rateLimitArg } from "../_convert.ts";
import { corsOrigins } from "../../http/_cors.ts";

/** The `serve` command. */
export const serve: Command = {
  name: "serve",
  summary: "run the HTTP daemon (REST API under /v1, OpenAPI at /openapi.json)",
  description:
    "Serves the memory store over HTTP until SIGINT or SIGTERM, then drains requests and closes\n" +
    "the store. Without API keys it serves loopback only; create keys with `t4dm keys add`.",
  local: true,
  args: [],
  flags: {
    port: { type: "string", arg: "PORT", help: "TCP port (default 8765)" },
    host: { type: "string", arg: "HOST", help: "address to bind (default 127.0.0.1)" },
    "keys-file": { type: "string", arg: "FILE", help: "API keys file (default <data-dir>/keys.json)" },
    "embed-workers": {
      type: "string",
      arg: "N",
      help: "embed on N worker threads beside the event loop, 0 on the event loop's own (default 1)",
    },
    "rate-limit": {
      type: "string",
      arg: "N[:BURST]|off",
      help: "requests per second per API key, bursts of BURST (default 50:100; keyless loopback: none)",
    },
    "max-body": { type: "string", arg: "BYTES", help: "largest JSON body (default 1048576)" },
    "max-import": { type: "string", arg: "BYTES", help: "largest import stream (default 67108864)" },
    "max-batch": { type: "string", arg: "N", help: "most memories in one batch store (default 1000)" },
    "cors-origin": {
      type: "string",
      arg: "ORIGIN",
      multiple: true,
      help: "let pages from ORIGIN (http(s)://host[:port]) call the daemon from a browser; repeatable",
    },
  },
  examples: [
    "serve",
    "serve --port 8765 --data-dir /var/lib/t4dm",
    "serve --rate-limit 200:400 --max-batch 5000",
  ],
  async run(ctx) {
    const { serve: start } = await import("../../http/mod.ts");
    const port = intArg("port", ctx.args.string("port") ?? "8765", 0, 65535, "a port number")!;
    const keysFile = ctx.args.string("keys-file");
    const embedWorkers = intArg("embed-workers", ctx.args.string("embed-workers") ?? "1", 0, 64)!;
    const rate = ctx.args.string("rate-limit");
    const limits = {
      bodyBytes: intArg("max-body", ctx.args.string("max-body"), 1024, 1 << 30),
      importBytes: intArg("max-import", ctx.args.string("max-import"), 1024, 2 ** 40),
      batch: intArg("max-batch", ctx.args.string("max-batch"), 1, 1_000_000),
    };
    const given = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
    const cors = ctx.args.strings("cors-origin");
    try {
      corsOrigins(cors);
    } catch (e) {
      throw new UsageError(`flag "--cors-origin": ${(e as Error).message}`);
    }
    const srv = await start({
      ...(cors.length ? { corsOrigins: cors } : {}),
      ...(rate === undefined ? {} : { rateLimit: rateLimitArg(rate) }),
      ...(Object.keys(given).length ? { limits: given } : {}),
      dataDir: ctx.global.dataDir,
      port,
      hostname: ctx.args.string("host") ?? "127.0.0.1",
      ...(keysFile ? { keysFile } : {}),
      embedWorkers,
      onListen: (a) => console.error(`t4dm serve: listening on http://${a.hostname}:${a.port}`),
    });
    await srv.finished;
    return 0;
  },
};
