/**
 * {@linkcode createHandler}: the daemon as a function from Request to Response. It mounts every route
 * of the route table behind its middleware (auth, rate limit, body limit, validation) and maps every
 * error to problem details.
 *
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { MemoryError } from "../memory/errors.ts";
import type { T4DM } from "../memory/t4dm.ts";
import type { AppEnv } from "./_env.ts";
import { KeyedLock } from "./_keyed_lock.ts";
import { authorizeNamespace, resolveNamespace } from "./_namespace.ts";
import { type KeyStore, OPEN_PRINCIPAL } from "./key_store.ts";
import { auth } from "./middleware/auth/mod.ts";
import { bodyLimit } from "./middleware/body_limit/mod.ts";
import { problem, problemResponse } from "./middleware/problem/mod.ts";
import { rateLimit, type RateLimitOptions } from "./middleware/rate_limit/mod.ts";
import { validate } from "./middleware/validate/mod.ts";
import { openapiDocument } from "./openapi.ts";
import { DEFAULT_LIMITS, type Limits, type Readiness, type RouteContext, type RouteDef } from "./route.ts";
import { memoryRoutes } from "./routes/memories.ts";
import { recallRoutes } from "./routes/recall.ts";
import { systemRoutes } from "./routes/system.ts";
import { transferRoutes } from "./routes/transfer.ts";

/** Options of {@linkcode createHandler}. */
export interface HandlerOptions {
  /** The open store every route works on. */
  mem: T4DM;
  /** API keys; without any active key the handler is open (serve() allows that on loopback only). */
  keys?: KeyStore | undefined;
  /** Refuse all requests while no key is active, instead of running open. @default false */
  requireAuth?: boolean;
  /** Size limits. @default DEFAULT_LIMITS (1 MiB JSON, 64 MiB import, batches of 1000, depth 32) */
  limits?: Partial<Limits>;
  /** Per-key token bucket, or false for none. @default { perSecond: 50, burst: 100 } */
  rateLimit?: Omit<RateLimitOptions, "clock"> | false;
  /** Source of "now" for rate limiting, ms. @default Date.now */
  clock?: () => number;
  /** Must equal the store's `defaultNamespace`; used when neither request nor key names one. @default "default" */
  defaultNamespace?: string;
  /** What /ready reports. @default () => "ready" */
  readiness?: () => Readiness;
  /** Where server errors are logged. @default console.error */
  log?: (line: string) => void;
}

const EMPTY_QUERY = z.strictObject({});

function lowerFirst(s: string): string {
  return s[0]!.toLowerCase() + s.slice(1);
}

/** The route table of a handler with `limits` (also what the OpenAPI document is built from). */
export function routeTable(limits: Limits, document: () => unknown): RouteDef[] {
  return [...memoryRoutes(limits), ...recallRoutes(), ...transferRoutes(), ...systemRoutes(document)];
}

/**
 * Makes the daemon's request handler over one open {@linkcode T4DM}.
 *
 * Concurrency: the handler may be called concurrently without limit; read-modify-write calls on one
 * memory are serialised, everything else overlaps in the library.
 *
 * @example In process, no sockets
 * ```ts ignore
 * import { createHandler } from "./handler.ts";
 * const handler = createHandler({ mem });
 * const r = await handler(new Request("http://t4dm/v1/recall", {
 *   method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"tea"}' }));
 * ```
 */
export function createHandler(options: HandlerOptions): (req: Request) => Promise<Response> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { mem, keys } = options;
  const fallback = options.defaultNamespace ?? "default";
  const readiness = options.readiness ?? (() => "ready" as const);
  const locks = new KeyedLock();
  const log = options.log ? { log: options.log } : {};
  const limiter = options.rateLimit === false
    ? undefined
    : rateLimit({ ...options.rateLimit, ...(options.clock ? { clock: options.clock } : {}) });
  let doc: unknown;
  const routes = routeTable(limits, () =>
    doc ??= openapiDocument(routes, {
      title: "T4DM",
      version: "1",
      description: "Temporal memory for AI agents. Errors are RFC 9457 problem details.",
    }));

  const app = new Hono<AppEnv>();
  app.onError(problem(log));
  app.notFound((c) =>
    problemResponse(
      new MemoryError("NOT_FOUND", `Cannot ${c.req.method} ${c.req.path.slice(0, 200)}: no such route`),
    )
  );
  for (const r of routes) {
    const chain: MiddlewareHandler<AppEnv>[] = [];
    const action = lowerFirst(r.summary);
    if (r.access !== "public") {
      chain.push(auth({ keys, scope: r.access, requireAuth: options.requireAuth ?? false }));
      if (limiter) chain.push(limiter);
    }
    if (r.body) {
      const jsonl = "jsonl" in r.body;
      chain.push(bodyLimit({ maxBytes: jsonl ? limits.importBytes : limits.bodyBytes, buffer: !jsonl }));
    }
    if (r.params) chain.push(validate({ target: "params", schema: r.params, action }));
    if (r.access !== "public") {
      chain.push(validate({ target: "query", schema: r.query ?? EMPTY_QUERY, action }));
    }
    if (r.body && "schema" in r.body) {
      const { schema, optional = false } = r.body;
      chain.push(validate({ target: "json", schema, action, optional, maxDepth: limits.jsonDepth }));
    }
    chain.push(async function route(c) {
      const v = c.get("valid") ?? {};
      const principal = c.get("principal") ?? OPEN_PRINCIPAL;
      const namespace = r.namespaced
        ? resolveNamespace(
          {
            body: (v.json as { namespace?: string } | undefined)?.namespace,
            query: (v.query as { namespace?: string } | undefined)?.namespace,
            header: c.req.header("x-t4dm-namespace"),
          },
          principal,
          fallback,
        )
        : "";
      if (r.namespaced) authorizeNamespace(principal, namespace);
      const ctx: RouteContext<unknown, unknown, unknown> = {
        mem,
        params: v.params,
        query: v.query,
        body: v.json,
        principal,
        namespace,
        authorize: (ns) => authorizeNamespace(principal, ns),
        req: c.req.raw,
        limits,
        locks,
        readiness,
      };
      return await r.handle(ctx);
    });
    app.on(r.method, [r.path], ...chain);
  }
  return async (req: Request) => await app.fetch(req);
}
