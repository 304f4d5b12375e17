/**
 * MCP over Streamable HTTP, stateless: every POST gets a fresh server and transport over the one shared
 * store, answers with plain JSON (no SSE stream), and is forgotten. There are no sessions to leak or
 * expire, any number of clients may call at once, and the handler is a plain
 * `(req: Request) => Promise<Response>` that the HTTP daemon can mount too. What stateless gives up:
 * server-to-client notifications and requests (T4DM sends none), so GET and DELETE answer 405.
 *
 * It listens on loopback by default and then only accepts `Host` and `Origin` headers naming a loopback
 * address (DNS-rebinding protection). There is no authentication: bind to another address only behind a
 * proxy that authenticates.
 *
 * @module
 */
import type { Embedder } from "../../cortex/embedder.ts";
import { T4DM } from "../memory/t4dm.ts";
import { InFlight } from "./_in_flight.ts";
import { WebStandardStreamableHTTPServerTransport } from "./_sdk.ts";
import { createMcpServer } from "./server.ts";

/** Default TCP port of {@linkcode serveMcpHttp}. */
export const DEFAULT_MCP_PORT = 7821;

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]", "::1"];

/** Options of {@linkcode createMcpHttpHandler}. */
export interface McpHttpHandlerOptions {
  /** URL path of the endpoint. @default "/mcp" */
  path?: string;
  /**
   * Host names (without port) accepted in the `Host` and `Origin` headers; `undefined` accepts any.
   * @default loopback names only
   */
  allowedHosts?: string[] | undefined;
  /** Where diagnostics go. @default a line on stderr */
  log?: (line: string) => void;
  /** Wraps every tool call, e.g. to wait for calls in flight before closing. @default none */
  track?: <T>(p: Promise<T>) => Promise<T>;
}

function jsonRpcError(status: number, message: string, headers: Record<string, string> = {}): Response {
  const body = { jsonrpc: "2.0", error: { code: -32000, message }, id: null };
  return Response.json(body, { status, headers });
}

function hostName(hostHeader: string): string {
  return hostHeader.startsWith("[")
    ? hostHeader.slice(0, hostHeader.indexOf("]") + 1)
    : hostHeader.split(":")[0]!;
}

/**
 * Creates the stateless MCP endpoint over `mem` as a fetch handler.
 *
 * @param mem The open memory store; the handler never closes it.
 * @param options Path, accepted hosts, logging.
 * @returns A handler for `Deno.serve` or any router.
 *
 * @example A request with a foreign Origin is refused
 * ```ts
 * import { T4DM } from "../memory/t4dm.ts";
 * import { createMcpHttpHandler } from "./http.ts";
 * const embedder = { dim: 2, id: "const", embed: (t: string[]) => Promise.resolve(t.map(() => Float32Array.of(1, 0))) };
 * const path = Deno.makeTempDirSync();
 * const mem = await T4DM.open({ path, embedder });
 * const handler = createMcpHttpHandler(mem);
 * const res = await handler(new Request("http://localhost/mcp", {
 *   method: "POST", headers: { origin: "https://evil.example" }, body: "{}",
 * }));
 * await res.body?.cancel();
 * await mem.close();
 * Deno.removeSync(path, { recursive: true });
 * if (res.status !== 403) throw new Error(`status ${res.status}`);
 * ```
 */
export function createMcpHttpHandler(
  mem: T4DM,
  options: McpHttpHandlerOptions = {},
): (req: Request) => Promise<Response> {
  const path = options.path ?? "/mcp";
  const allowed = "allowedHosts" in options ? options.allowedHosts : LOOPBACK;
  const log = options.log ?? ((line: string) => console.error(line));
  const serverOptions: Parameters<typeof createMcpServer>[1] = { log };
  if (options.track) serverOptions.track = options.track;
  return async (req) => {
    const url = new URL(req.url);
    if (url.pathname !== path) return jsonRpcError(404, `Not found: the MCP endpoint is "${path}"`);
    if (allowed) {
      const host = req.headers.get("host");
      if (host !== null && !allowed.includes(hostName(host).toLowerCase())) {
        return jsonRpcError(403, `Forbidden: host "${host}" is not allowed`);
      }
      const origin = req.headers.get("origin");
      if (origin !== null && !allowed.includes(originHost(origin))) {
        return jsonRpcError(403, `Forbidden: origin "${origin}" is not allowed`);
      }
    }
    if (req.method !== "POST") {
      return jsonRpcError(405, "Method not allowed: this stateless server only takes POST", {
        allow: "POST",
      });
    }
    const server = createMcpServer(mem, serverOptions);
    // No sessionIdGenerator: stateless mode.
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
    try {
      await server.connect(transport);
      return await transport.handleRequest(req);
    } catch (e) {
      log(`t4dm mcp http: ${e instanceof Error ? e.stack : String(e)}`);
      return jsonRpcError(500, "Internal error");
    } finally {
      // JSON mode: the response is complete once handleRequest resolved, so closing cannot cut it short.
      await server.close().catch(() => {});
    }
  };
}

function originHost(origin: string): string {
  try {
    return new URL(origin).hostname.toLowerCase();
  } catch {
    return origin;
  }
}

/** Options of {@linkcode serveMcpHttp}. */
export interface ServeMcpHttpOptions {
  /** Data directory of the memory store (created when missing). */
  dataDir: string;
  /** TCP port; 0 picks a free one. @default DEFAULT_MCP_PORT (7821) */
  port?: number;
  /** Address to bind. Anything but loopback serves without authentication. @default "127.0.0.1" */
  hostname?: string;
  /** Stops the server: it finishes calls in flight, then closes the store. @default none */
  signal?: AbortSignal;
  /** URL path of the endpoint. @default "/mcp" */
  path?: string;
  /** Text embedder. @default the library's default (Universal Sentence Encoder lite, cached) */
  embedder?: Embedder;
  /** Where diagnostics go. @default a line on stderr */
  log?: (line: string) => void;
}

/** A running MCP HTTP server. */
export interface McpHttpServer {
  /** The endpoint, e.g. `http://127.0.0.1:7821/mcp`. */
  url: string;
  /** The bound port. */
  port: number;
  /** The bound address. */
  hostname: string;
  /** Settles when the server has stopped and the store is closed. */
  finished: Promise<void>;
}

/**
 * Opens the store at `dataDir` and serves MCP over Streamable HTTP (stateless, JSON responses) until
 * `signal` aborts.
 *
 * @param options Data directory, address, stop signal.
 * @returns The running server; await `finished` after aborting.
 * @throws {IOError} Another process has the store open.
 *
 * @example Serve on a free loopback port, then stop
 * ```ts ignore
 * import { serveMcpHttp } from "./http.ts";
 * const stop = new AbortController();
 * const srv = await serveMcpHttp({ dataDir: Deno.makeTempDirSync(), port: 0, signal: stop.signal });
 * console.error(`MCP at ${srv.url}`);
 * stop.abort();
 * await srv.finished;
 * ```
 */
export async function serveMcpHttp(options: ServeMcpHttpOptions): Promise<McpHttpServer> {
  const log = options.log ?? ((line: string) => console.error(line));
  const hostname = options.hostname ?? "127.0.0.1";
  const loopback = LOOPBACK.includes(hostname) || hostname.startsWith("127.");
  if (!loopback) log(`t4dm mcp http: warning: serving on "${hostname}" without authentication`);
  const mem = await T4DM.open({
    path: options.dataDir,
    ...(options.embedder ? { embedder: options.embedder } : {}),
  });
  const inFlight = new InFlight();
  const handlerOptions: McpHttpHandlerOptions = { log, track: inFlight.track };
  if (options.path !== undefined) handlerOptions.path = options.path;
  if (!loopback) handlerOptions.allowedHosts = undefined;
  const handler = createMcpHttpHandler(mem, handlerOptions);
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      port: options.port ?? DEFAULT_MCP_PORT,
      hostname,
      ...(options.signal ? { signal: options.signal } : {}),
      onListen: () => {},
      onError: (e) => {
        log(`t4dm mcp http: ${e instanceof Error ? e.stack : String(e)}`);
        return jsonRpcError(500, "Internal error");
      },
    }, handler);
  } catch (e) {
    await mem.close();
    throw e;
  }
  const addr = server.addr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const url = `http://${host}:${addr.port}${options.path ?? "/mcp"}`;
  log(`t4dm mcp: serving "${options.dataDir}" at ${url}`);
  const finished = server.finished.then(async () => {
    await inFlight.idle(10_000);
    await mem.close();
    log("t4dm mcp: stopped");
  });
  return { url, port: addr.port, hostname: addr.hostname, finished };
}
