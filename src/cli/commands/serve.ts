/**
 * `t4dm serve`: the HTTP daemon (versioned REST API, API keys, OpenAPI at /openapi.json).
 *
 * @module
 */
import type { Command } from "../command.ts";
import { UsageError } from "../args.ts";
import { corsOrigins } from "../../http/_cors.ts";

/**
 * Reads `--rate-limit`: `off`, `N` (requests per second per key, bursts of 2N) or `N:B` (bursts of B).
 *
 * @param raw The flag's value.
 * @returns The daemon's rate-limit option.
 * @throws {UsageError} For anything else.
 *
 * @example
 * ```ts
 * import { parseRateLimit } from "./serve.ts";
 * const a = parseRateLimit("200"), b = parseRateLimit("5:10"), c = parseRateLimit("off");
 * if (a === false || a.perSecond !== 200 || a.burst !== 400) throw new Error(JSON.stringify(a));
 * if (b === false || b.perSecond !== 5 || b.burst !== 10 || c !== false) throw new Error(JSON.stringify([b, c]));
 * ```
 */
export function parseRateLimit(raw: string): { perSecond: number; burst: number } | false {
  if (raw === "off") return false;
  const m = /^(\d+(?:\.\d+)?)(?::(\d+))?$/.exec(raw);
  const perSecond = m ? Number(m[1]) : NaN;
  const burst = m?.[2] !== undefined ? Number(m[2]) : Math.ceil(2 * perSecond);
  if (!(perSecond > 0 && burst >= 1 && Number.isFinite(perSecond + burst))) {
    throw new UsageError(
      `flag "--rate-limit" needs "off", N or N:BURST (requests per second per key), got ${
        JSON.stringify(raw)
      }`,
    );
  }
  return { perSecond, burst };
}

/** Reads a whole-number flag in `[min, max]`, or undefined when absent. */
function intFlag(raw: string | undefined, name: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `flag "--${name}" needs a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

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
    const rate = ctx.args.string("rate-limit");
    const limits = {
      bodyBytes: intFlag(ctx.args.string("max-body"), "max-body", 1024, 1 << 30),
      importBytes: intFlag(ctx.args.string("max-import"), "max-import", 1024, 2 ** 40),
      batch: intFlag(ctx.args.string("max-batch"), "max-batch", 1, 1_000_000),
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
      ...(rate === undefined ? {} : { rateLimit: parseRateLimit(rate) }),
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
