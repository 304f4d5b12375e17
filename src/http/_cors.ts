/**
 * Cross-origin access for named web origins (`t4dm serve --cors-origin`), so that a page served from one
 * of them can use the SDK in a browser. Every other origin gets no CORS header, so browsers keep its
 * pages out, as before. It opens nothing that a key does not already guard: a page still needs an API key
 * once keys exist, and without keys the daemon listens on loopback only.
 *
 * @module
 */

/** What a listed origin may send: the SDK's methods and headers. */
const METHODS = "GET, POST, PATCH, DELETE";
const HEADERS = "authorization, content-type, x-t4dm-namespace";
/** What a page may read of a response besides the safelisted headers. */
const EXPOSED = "retry-after, location";

/**
 * Checks and normalises `--cors-origin` values: each must be a bare web origin, `scheme://host[:port]`.
 *
 * @param origins The values as given.
 * @returns The origins as browsers send them (`URL.origin`).
 * @throws {Error} Naming the first value that is not a bare http(s) origin (`*` included: list them).
 *
 * @example
 * ```ts
 * import { corsOrigins } from "./_cors.ts";
 * const got = corsOrigins(["http://localhost:5173", "https://app.example.com/"]);
 * if (got.join() !== "http://localhost:5173,https://app.example.com") throw new Error(got.join());
 * ```
 */
export function corsOrigins(origins: readonly string[]): string[] {
  return origins.map((o) => {
    let u: URL | undefined;
    try {
      u = new URL(o);
    } catch { /* reported below */ }
    if (
      !u || !/^https?:$/.test(u.protocol) || u.username || u.password || u.search || u.hash ||
      (u.pathname !== "/" && u.pathname !== "")
    ) {
      throw new Error(
        `Cannot allow CORS origin ${JSON.stringify(o)}: expected http(s)://host[:port] and nothing more`,
      );
    }
    return u.origin;
  });
}

/**
 * Wraps a handler so that the listed origins get CORS answers: a preflight (OPTIONS with
 * `Access-Control-Request-Method`) from one is answered 204 here, before authentication (browsers send
 * preflights without credentials); any other request from one is handled as usual and its response
 * carries `Access-Control-Allow-Origin`. Requests from other origins pass through untouched.
 *
 * @param handler The daemon's handler.
 * @param origins Allowed origins, normalised by {@linkcode corsOrigins}; empty returns `handler` itself.
 * @returns The wrapped handler.
 */
export function withCors(
  handler: (req: Request) => Promise<Response>,
  origins: readonly string[],
): (req: Request) => Promise<Response> {
  if (origins.length === 0) return handler;
  const allowed = new Set(origins);
  return async (req) => {
    const origin = req.headers.get("origin");
    if (origin === null || !allowed.has(origin)) return await handler(req);
    if (req.method === "OPTIONS" && req.headers.has("access-control-request-method")) {
      return new Response(null, {
        status: 204,
        headers: {
          "access-control-allow-origin": origin,
          "access-control-allow-methods": METHODS,
          "access-control-allow-headers": HEADERS,
          "access-control-max-age": "600",
          vary: "origin",
        },
      });
    }
    const res = await handler(req);
    const headers = new Headers(res.headers);
    headers.set("access-control-allow-origin", origin);
    headers.set("access-control-expose-headers", EXPOSED);
    headers.append("vary", "origin");
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };
}
