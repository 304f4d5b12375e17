/**
 * {@linkcode serve}: the T4DM daemon (`t4dm serve`): opens the store, serves the handler with
 * `Deno.serve`, and shuts down gracefully on SIGTERM, SIGINT or an abort signal.
 *
 * @module
 */
import { join } from "node:path";
import type { Embedder } from "../../cortex/embedder.ts";
import { MemoryError } from "../memory/errors.ts";
import { T4DM } from "../memory/t4dm.ts";
import { corsOrigins, withCors } from "./_cors.ts";
import { createHandler, type HandlerOptions } from "./handler.ts";
import { KeyStore } from "./key_store.ts";
import { problemResponse } from "./middleware/problem/mod.ts";
import type { Readiness } from "./route.ts";

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** The store's data directory. */
  dataDir: string;
  /** TCP port; 0 picks a free one (read it from the result). @default 8765 */
  port?: number;
  /** Interface to bind. Anything but loopback requires at least one API key. @default "127.0.0.1" */
  hostname?: string;
  /** The keys file; while it holds no active key the daemon is open. @default "<dataDir>/keys.json" */
  keysFile?: string;
  /** Aborting it shuts the daemon down gracefully. @default undefined */
  signal?: AbortSignal;
  /** Called once listening (before the store is open). @default logs the address to stderr */
  onListen?: (addr: { hostname: string; port: number }) => void;
  /** Size limits. @default see {@linkcode HandlerOptions.limits} */
  limits?: HandlerOptions["limits"];
  /** Per-key rate limit, or false. @default see {@linkcode HandlerOptions.rateLimit} */
  rateLimit?: HandlerOptions["rateLimit"];
  /** Embedder. @default the library's (USE lite on ONNX Runtime, cached), or a worker pool with `embedWorkers` */
  embedder?: Embedder;
  /**
   * Without `embedder`: run USE lite on this many worker threads (`T4DMOptions.embedWorkers`) instead of
   * on the event loop's thread. `t4dm serve` asks for 1 (measured with `deno task bench:http`: more
   * requests per second than on the event loop, which then keeps its core for the indexes); 0 keeps
   * the library's default. @default 0
   */
  embedWorkers?: number;
  /** Longest wait for in-flight requests at shutdown before the store is closed anyway. @default 30000 */
  drainTimeoutMs?: number;
  /**
   * Web origins (`http(s)://host[:port]`) whose pages may call the daemon from a browser: they get CORS
   * answers (see `_cors.ts`) and pass the loopback Origin check. @default none
   */
  corsOrigins?: string[];
  /** Shut down on SIGTERM and SIGINT. @default true */
  handleSignals?: boolean;
  /** Diagnostics (stderr; stdout stays free). @default console.error */
  log?: (line: string) => void;
}

/** A running daemon. */
export interface T4DMServer {
  /** The bound address. */
  readonly hostname: string;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Settles once the daemon has shut down and the store is closed. */
  readonly finished: Promise<void>;
  /** Stops accepting, drains in-flight requests, closes the store. Idempotent. */
  shutdown(): Promise<void>;
}

/** Whether `hostname` binds to loopback only. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * What makes `req` non-local (a Host or Origin naming another machine), or undefined. An Origin listed in
 * `cors` is not foreign.
 */
function foreignHost(req: Request, cors: ReadonlySet<string>): string | undefined {
  const host = new URL(req.url).hostname;
  if (!isLoopback(host)) return `host ${JSON.stringify(host.slice(0, 100))}`;
  const origin = req.headers.get("origin");
  if (origin === null || cors.has(origin)) return undefined;
  let o = "";
  try {
    o = new URL(origin).hostname;
  } catch { /* "null" or malformed: not local */ }
  return isLoopback(o) ? undefined : `origin ${JSON.stringify(origin.slice(0, 100))}`;
}

/** The answer while the store is opening or the daemon is draining. */
function notServing(req: Request, state: Readiness): Response {
  const path = new URL(req.url).pathname;
  if (path === "/health") return Response.json({ status: "ok" });
  if (path === "/ready") return Response.json({ status: state }, { status: 503 });
  const why = state === "starting" ? "the store is still opening" : "the daemon is shutting down";
  const r = problemResponse(new MemoryError("UNAVAILABLE", `Cannot serve request: ${why}`));
  if (state === "draining") r.headers.set("connection", "close");
  return r;
}

/**
 * Starts the daemon and resolves once the store is open. `/health` answers from the moment the port is
 * bound; `/ready` turns 200 when the store is open and 503 again while draining.
 *
 * Without active API keys the daemon binds to loopback only and answers only requests whose Host (and
 * Origin, if any) is a loopback name, so a web page cannot reach it (DNS rebinding); JSON routes need
 * `application/json` and import needs a JSON-lines type, so a page cannot post to it without a CORS
 * preflight, which the daemon never grants.
 *
 * Shutdown (SIGTERM, SIGINT, `signal` or `shutdown()`): /ready turns 503 and new requests get 503,
 * in-flight requests finish (up to `drainTimeoutMs`), the listener closes, then the store is closed.
 *
 * @throws {MemoryError} VALIDATION (field `hostname`) when binding beyond loopback without an API key.
 * @throws {IOError} Another process has the store open.
 *
 * @example
 * ```ts ignore
 * const ac = new AbortController();
 * const server = await serve({ dataDir: "./data", port: 0, signal: ac.signal });
 * console.error(`on ${server.url}`);
 * ac.abort();
 * await server.finished;
 * ```
 */
export async function serve(options: ServeOptions): Promise<T4DMServer> {
  const log = options.log ?? ((l: string) => console.error(l));
  const hostname = options.hostname ?? "127.0.0.1";
  const cors = corsOrigins(options.corsOrigins ?? []); // throws on a malformed origin, before binding
  const corsSet = new Set(cors);
  const keys = await KeyStore.open(options.keysFile ?? join(options.dataDir, "keys.json"));
  const loopback = isLoopback(hostname);
  if (!loopback && (await keys.active()) === 0) {
    throw new MemoryError(
      "VALIDATION",
      `Cannot serve on "${hostname}": without API keys the daemon binds to loopback only; ` +
        `create a key with "t4dm keys add" or bind to 127.0.0.1`,
      { field: "hostname" },
    );
  }
  let state: Readiness = "starting";
  const live: { handler?: (req: Request) => Promise<Response> } = {};
  // Deno's server.shutdown() cuts off request bodies still being read, so in-flight requests are
  // drained here first: new requests get 503 while the counted ones finish.
  let inflight = 0;
  let drained: (() => void) | undefined;
  const server = Deno.serve({
    port: options.port ?? 8765,
    hostname,
    onListen: options.onListen ?? ((a) => log(`t4dm: listening on http://${a.hostname}:${a.port}`)),
  }, async (req, info) => {
    if (state !== "ready" || !live.handler) return notServing(req, state);
    inflight++;
    info.completed.catch(() => {}).finally(() => {
      if (--inflight === 0) drained?.();
    });
    const foreign = foreignHost(req, corsSet);
    if (foreign !== undefined && (await keys.active().catch(() => 1)) === 0) {
      // Running open: a web page (another Origin, or a domain resolving to 127.0.0.1 by DNS rebinding)
      // must not get in.
      return problemResponse(
        new MemoryError(
          "FORBIDDEN",
          `Cannot serve request from ${foreign}: without API keys the daemon answers only local clients`,
        ),
      );
    }
    return await live.handler(req);
  });
  let mem: T4DM;
  try {
    mem = await T4DM.open({
      path: options.dataDir,
      ...(options.embedder ? { embedder: options.embedder } : {}),
      ...(options.embedWorkers ? { embedWorkers: options.embedWorkers } : {}),
    });
  } catch (e) {
    await server.shutdown();
    throw e;
  }
  live.handler = withCors(
    createHandler({
      mem,
      keys,
      requireAuth: !loopback,
      readiness: () => state,
      log,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
    }),
    cors,
  );
  state = "ready";
  log(`t4dm serve: ready; embedding on ${mem.embedderRuntime}`);

  const signals: Deno.Signal[] = options.handleSignals === false ? [] : ["SIGTERM", "SIGINT"];
  const onSignal = () => void shutdown().catch(() => {});
  for (const s of signals) {
    try {
      Deno.addSignalListener(s, onSignal);
    } catch { /* not supported on this platform (SIGTERM on Windows) */ }
  }
  let done: Promise<void> | undefined;
  let resolveFinished!: () => void;
  let rejectFinished!: (e: unknown) => void;
  const finished = new Promise<void>((res, rej) => (resolveFinished = res, rejectFinished = rej));
  finished.catch(() => {}); // a failed close is reported to whoever awaits; never an unhandled rejection
  const shutdown = (): Promise<void> =>
    done ??= (async () => {
      state = "draining";
      for (const s of signals) {
        try {
          Deno.removeSignalListener(s, onSignal);
        } catch { /* never added */ }
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((r) =>
        timer = setTimeout(() => r("timeout"), options.drainTimeoutMs ?? 30_000)
      );
      const idle = inflight === 0 ? Promise.resolve() : new Promise<void>((r) => drained = r);
      const how = await Promise.race([idle, timeout]);
      if (how === "timeout") {
        log(
          `t4dm: ${inflight} requests still in flight after the drain timeout; closing anyway`,
        );
      }
      await Promise.race([server.shutdown(), timeout]);
      clearTimeout(timer);
      await mem.close();
    })().then(resolveFinished, (e) => {
      rejectFinished(e);
      throw e;
    });
  if (options.signal?.aborted) void shutdown().catch(() => {});
  options.signal?.addEventListener("abort", () => void shutdown().catch(() => {}), { once: true });
  const addr = server.addr as Deno.NetAddr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return { hostname: addr.hostname, port: addr.port, url: `http://${host}:${addr.port}`, finished, shutdown };
}
