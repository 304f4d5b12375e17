/**
 * `t4dm serve`: the HTTP daemon (versioned REST API, API keys, OpenAPI at /openapi.json).
 *
 * @module
 */
import type { Command } from "../command.ts";
import { UsageError } from "../args.ts";

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
  },
  examples: ["serve", "serve --port 8765 --data-dir /var/lib/t4dm"],
  async run(ctx) {
    const { serve: start } = await import("../../http/mod.ts");
    const raw = ctx.args.string("port") ?? "8765";
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(`flag "--port" needs a port number, got ${JSON.stringify(raw)}`);
    }
    const keysFile = ctx.args.string("keys-file");
    const rawWorkers = ctx.args.string("embed-workers") ?? "1";
    const embedWorkers = Number(rawWorkers);
    if (!Number.isInteger(embedWorkers) || embedWorkers < 0 || embedWorkers > 64) {
      throw new UsageError(
        `flag "--embed-workers" needs an integer from 0 to 64, got ${JSON.stringify(rawWorkers)}`,
      );
    }
    const srv = await start({
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
