/**
 * MCP over Streamable HTTP, stateless: every POST gets a fresh server and transport over the one shared
 * store, answers with plain JSON (no SSE stream), and is forgotten. There are no sessions to leak or
 * expire, any number of clients may call at once, and the handler is a plain
 * `(req: Request) => Promise<Response>` that the HTTP daemon can mount too. What stateless gives up:
 * server-to-client notifications and requests (T4DM sends none), so GET and DELETE answer 405.
 *
 * Authentication is the daemon's (`t4dm serve`), with the same keys file (`<data-dir>/keys.json`,
 * managed with `t4dm keys`) and the same code: the keys are a {@linkcode KeyStore}, which re-reads the
 * file when it changes (checked at most once a second), so added and revoked keys take effect without a
 * restart; the bearer check is the daemon's `auth` middleware (src/http/middleware/auth/).
 *
 * - While the file holds at least one active key, every request needs `Authorization: Bearer <key>`;
 *   a missing, unknown or revoked key gets 401 with `WWW-Authenticate: Bearer` and a JSON-RPC error
 *   body, before any MCP message is read. The key's scopes and namespaces then bound every tool call and
 *   resource read (src/mcp/_access.ts): read-only tools need `read`, the others `write` (`admin` implies
 *   both), and a call outside the key's namespaces fails with FORBIDDEN and changes nothing.
 * - While no key is active, the endpoint is open, and so {@linkcode serveMcpHttp} binds to loopback
 *   only, and the handler accepts only `Host` and `Origin` headers naming a loopback address
 *   (DNS-rebinding protection). A server bound beyond loopback whose keys were all revoked refuses
 *   every request (401) instead of running open.
 *
 * @module
 */
import { Hono } from "hono";
import { join } from "node:path";
import type { Embedder } from "../../cortex/embedder.ts";
import type { AppEnv } from "../http/_env.ts";
import { KeyStore } from "../http/key_store.ts";
import { auth } from "../http/middleware/auth/mod.ts";
import { rateLimit, type RateLimitOptions } from "../http/middleware/rate_limit/mod.ts";
import { isLoopback } from "../http/serve.ts";
import { mapError, MemoryError } from "../memory/errors.ts";
import { T4DM } from "../memory/t4dm.ts";
import type { Principal } from "./_access.ts";
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
  /**
   * The API keys. While one is active every request needs a valid bearer key, whose scopes and
   * namespaces bound what it may do, and the `allowedHosts` check is skipped (the key protects the
   * endpoint); while none is, the endpoint is open. @default none: always open
   */
  keys?: KeyStore | undefined;
  /**
   * Refuse every request while no key is active instead of running open (a server bound beyond
   * loopback whose keys were all revoked). @default false
   */
  requireAuth?: boolean;
  /**
   * Per-key rate limit, as the REST daemon's (`t4dm serve --rate-limit`): a key over it gets 429 with
   * `Retry-After`; requests without a key (open, loopback only) are not limited; false turns it off.
   * @default 50 requests per second per key, bursts of 100
   */
  rateLimit?: RateLimitOptions | false;
}

function jsonRpcError(status: number, message: string, headers: Record<string, string> = {}): Response {
  const body = { jsonrpc: "2.0", error: { code: -32000, message }, id: null };
  return Response.json(body, { status, headers });
}

/** An error of the authentication step (401, 503 for an unreadable keys file) as a JSON-RPC error. */
function authError(e: unknown, log: (line: string) => void): Response {
  const m = mapError(e);
  const message = e instanceof Error ? e.message : String(e);
  if (m.status >= 500) log(`t4dm mcp http: ${m.code}: ${e instanceof Error ? e.stack ?? message : message}`);
  const retryAfter = e instanceof MemoryError ? e.retryAfter : undefined;
  const headers: Record<string, string> = m.status === 401
    ? { "www-authenticate": 'Bearer realm="t4dm"' }
    : retryAfter !== undefined
    ? { "retry-after": String(retryAfter) }
    : {};
  return jsonRpcError(m.status, `${m.code}: ${message}`, headers);
}

function hostName(hostHeader: string): string {
  return hostHeader.startsWith("[")
    ? hostHeader.slice(0, hostHeader.indexOf("]") + 1)
    : hostHeader.split(":")[0]!;
}

/**
 * Creates the stateless MCP endpoint over `mem` as a fetch handler.
 *
 * Order of checks: path (404), API key (401, while a key is active or `requireAuth`), Host and Origin
 * (403, only while no key is active), method (405); then the MCP request runs with the key's access.
 *
 * @param mem The open memory store; the handler never closes it.
 * @param options Path, API keys, accepted hosts, logging.
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
  const track = options.track ? { track: options.track } : {};
  const serveMcp = async (req: Request, principal: Principal): Promise<Response> => {
    // OPEN_PRINCIPAL (keyId null): no key is active, so nothing but the loopback check keeps a web page
    // (another Origin, or a domain rebound to 127.0.0.1) out.
    if (principal.keyId === null && allowed) {
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
    const server = createMcpServer(mem, { log, ...track, principal });
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
  // The daemon's own bearer check: 401 for a missing, unknown or revoked key, OPEN_PRINCIPAL while no
  // key is active (unless requireAuth). The scope is checked per tool, so any valid key passes here.
  const gate = new Hono<AppEnv>();
  gate.onError((e) => authError(e, log));
  gate.use(auth({ keys: options.keys, scope: "any", requireAuth: options.requireAuth ?? false }));
  if (options.rateLimit !== false) gate.use(rateLimit(options.rateLimit ?? {}));
  gate.all("*", (c) => serveMcp(c.req.raw, c.get("principal")));
  return async (req) => {
    if (new URL(req.url).pathname !== path) {
      return jsonRpcError(404, `Not found: the MCP endpoint is "${path}"`);
    }
    return await gate.fetch(req);
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
  /** Address to bind. Anything but loopback needs at least one active API key. @default "127.0.0.1" */
  hostname?: string;
  /** The API keys file, shared with `t4dm serve` and `t4dm keys`. @default "<dataDir>/keys.json" */
  keysFile?: string;
  /** Stops the server: it finishes calls in flight, then closes the store. @default none */
  signal?: AbortSignal;
  /** URL path of the endpoint. @default "/mcp" */
  path?: string;
  /** Text embedder. @default the library's default (Universal Sentence Encoder lite, cached) */
  embedder?: Embedder;
  /** Where diagnostics go. @default a line on stderr */
  log?: (line: string) => void;
  /** Per-key rate limit, or false. @default see {@linkcode McpHttpHandlerOptions.rateLimit} */
  rateLimit?: RateLimitOptions | false;
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
 * Like `t4dm serve`: while the keys file holds an active key every request needs one (see the module
 * doc); without one it binds to loopback only. Keys added or revoked while it runs take effect within a
 * second. A server bound beyond loopback keeps refusing requests if its keys are all revoked later.
 *
 * @param options Data directory, address, keys file, stop signal.
 * @returns The running server; await `finished` after aborting.
 * @throws {MemoryError} VALIDATION (field `hostname`) when binding beyond loopback without an API key;
 *   UNAVAILABLE when the keys file is unreadable.
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
  const keys = await KeyStore.open(options.keysFile ?? join(options.dataDir, "keys.json"));
  const loopback = isLoopback(hostname);
  if (!loopback && (await keys.active()) === 0) {
    throw new MemoryError(
      "VALIDATION",
      `Cannot serve MCP on "${hostname}": without API keys the MCP server binds to loopback only; ` +
        `create a key with "t4dm keys add" or bind to 127.0.0.1`,
      { field: "hostname" },
    );
  }
  const mem = await T4DM.open({
    path: options.dataDir,
    ...(options.embedder ? { embedder: options.embedder } : {}),
  });
  const inFlight = new InFlight();
  const handlerOptions: McpHttpHandlerOptions = { log, track: inFlight.track, keys, requireAuth: !loopback };
  if (options.path !== undefined) handlerOptions.path = options.path;
  if (options.rateLimit !== undefined) handlerOptions.rateLimit = options.rateLimit;
  // Beyond loopback the Host is the server's public name; keys are required there, so they protect it.
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
