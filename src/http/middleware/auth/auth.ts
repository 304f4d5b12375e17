/**
 * {@linkcode auth}: bearer-key authentication and scope checks.
 *
 * @module
 */
import type { Context, Next } from "hono";
import { MemoryError } from "../../../memory/errors.ts";
import type { AppEnv } from "../../_env.ts";
import type { Scope } from "../../keys.ts";
import { type KeyStore, OPEN_PRINCIPAL } from "../../key_store.ts";

/** Options of {@linkcode auth}. */
export interface AuthOptions {
  /** The keys; without keys (or with none active) the daemon is open. @default undefined */
  keys?: KeyStore | undefined;
  /** Scope the route needs; `"any"` accepts every valid key. */
  scope: Scope | "any";
  /**
   * Refuse every request while no key is active instead of running open (a daemon bound beyond
   * loopback whose keys were all revoked). @default false
   */
  requireAuth?: boolean;
}

/**
 * Makes the authentication middleware for one route. Sets the `principal` variable.
 *
 * - 401 (with `WWW-Authenticate: Bearer`): keys exist and the request has no valid, unrevoked key.
 * - 403: the key lacks `scope` (admin implies read and write).
 *
 * Namespace checks come later, once the request's namespace is known.
 *
 * @example Open mode
 * ```ts
 * import { Hono } from "hono";
 * import { auth } from "./auth.ts";
 * import type { AppEnv } from "../../_env.ts";
 * const app = new Hono<AppEnv>().get("/", auth({ scope: "read" }), (c) => c.text(String(c.get("principal").keyId)));
 * if (await (await app.fetch(new Request("http://t/"))).text() !== "null") throw new Error("not open");
 * ```
 */
export function auth(options: AuthOptions): (c: Context<AppEnv>, next: Next) => Promise<void> {
  const { keys, scope } = options;
  return async function auth(c: Context<AppEnv>, next: Next): Promise<void> {
    const active = keys ? await keys.active() : 0;
    if (active === 0) {
      if (options.requireAuth) {
        throw new MemoryError("UNAUTHORIZED", "Cannot authenticate: the daemon has no active API keys");
      }
      c.set("principal", OPEN_PRINCIPAL);
      return await next();
    }
    const header = c.req.header("authorization") ?? "";
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!m) {
      throw new MemoryError(
        "UNAUTHORIZED",
        "Cannot authenticate: expected an Authorization: Bearer <key> header",
      );
    }
    const principal = await keys!.verify(m[1]!);
    if (!principal) throw new MemoryError("UNAUTHORIZED", "Cannot authenticate: unknown or revoked API key");
    if (scope !== "any" && !principal.scopes.includes(scope)) {
      throw new MemoryError("FORBIDDEN", `Cannot serve request: the API key lacks the "${scope}" scope`);
    }
    c.set("principal", principal);
    await next();
  };
}
