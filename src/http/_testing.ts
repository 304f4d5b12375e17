/**
 * Test helpers for the HTTP daemon: the real embedder (loaded once per test module that imports this),
 * real temporary stores, and a compact way to call a handler and check a response against the route
 * table's schemas.
 *
 * @module
 */
import { CachedEmbedder } from "../../cortex/cached_embedder.ts";
import { UseEmbedder } from "../../cortex/use_embedder.ts";
import { T4DM } from "../memory/t4dm.ts";
import { createHandler, type HandlerOptions, routeTable } from "./handler.ts";
import { DEFAULT_LIMITS } from "./route.ts";
import { serve, type ServeOptions, type T4DMServer } from "./serve.ts";

/** The real embedder, cached. */
export const embedder = new CachedEmbedder(await UseEmbedder.load());

/** Opens a store in a fresh temporary directory, runs `fn`, closes and removes it. */
export async function withStore(
  fn: (mem: T4DM, path: string) => Promise<void>,
  clock?: () => number,
): Promise<void> {
  const path = Deno.makeTempDirSync({ prefix: "t4dm-http-test-" });
  const mem = await T4DM.open({ path, embedder, ...(clock ? { clock } : {}) });
  try {
    await fn(mem, path);
  } finally {
    await mem.close();
    Deno.removeSync(path, { recursive: true });
  }
}

/** A handler over a fresh store, with rate limiting off unless given. */
export function withHandler(
  fn: (h: (req: Request) => Promise<Response>, mem: T4DM) => Promise<void>,
  options: Omit<HandlerOptions, "mem"> = {},
): Promise<void> {
  return withStore((mem) => fn(createHandler({ rateLimit: false, ...options, mem }), mem));
}

/** What {@linkcode call} returns. */
export interface Reply {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
  text: string;
}

/** Sends one request to `h`: `json` is sent as JSON, `body` as is. */
export async function call(
  h: (req: Request) => Promise<Response>,
  method: string,
  path: string,
  o: { json?: unknown; body?: BodyInit; headers?: Record<string, string>; token?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let body = o.body;
  if (o.json !== undefined) body = JSON.stringify(o.json), headers["content-type"] ??= "application/json";
  const res = await h(
    new Request(`http://t4dm.test${path}`, { method, headers, ...(body === undefined ? {} : { body }) }),
  );
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

const ROUTES = routeTable(DEFAULT_LIMITS, () => ({}));

/**
 * Throws unless `reply` is a response the route table documents for `method path`: the status is
 * declared (or is a problem-details error) and the body matches its schema.
 */
export function assertDocumented(method: string, path: string, reply: Reply): void {
  const pathname = new URL(`http://x${path}`).pathname;
  const route = ROUTES.find((r) =>
    r.method === method && new RegExp(`^${r.path.replace(/:\w+/g, "[^/]+")}$`).test(pathname)
  );
  const state = `${method} ${path} -> ${reply.status} ${reply.text.slice(0, 300)}`;
  if (!route) throw new Error(`no route: ${state}`);
  const spec = route.responses[reply.status];
  if (!spec) {
    const ok = reply.status >= 400 && reply.headers.get("content-type") === "application/problem+json" &&
      typeof reply.body?.detail === "string";
    if (!ok) throw new Error(`undocumented: ${state}`);
    return;
  }
  if (spec.schema && (spec.contentType ?? "application/json") === "application/json") {
    const r = spec.schema.safeParse(reply.body);
    if (!r.success) throw new Error(`schema mismatch: ${state}\n${JSON.stringify(r.error.issues)}`);
  }
}

/** The daemon on a free loopback port over `dataDir`, with the test embedder, no log and no signal handlers. */
export function serveForTest(dataDir: string, options: Partial<ServeOptions> = {}): Promise<T4DMServer> {
  return serve({
    dataDir,
    port: 0,
    embedder,
    onListen: () => {},
    handleSignals: false,
    log: () => {},
    ...options,
  });
}
