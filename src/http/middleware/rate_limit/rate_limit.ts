/**
 * {@linkcode rateLimit}: a token bucket per API key; an empty bucket answers 429 with Retry-After.
 *
 * @module
 */
import type { Context, Next } from "hono";
import { MemoryError } from "../../../memory/errors.ts";
import type { AppEnv } from "../../_env.ts";

/** Options of {@linkcode rateLimit}. */
export interface RateLimitOptions {
  /** Sustained requests per second per key. @default 50 */
  perSecond?: number;
  /** Bucket size: requests allowed in a burst. @default 100 */
  burst?: number;
  /** Source of "now", ms. @default Date.now */
  clock?: () => number;
}

/**
 * Makes the rate-limit middleware. Runs after auth; the bucket is the key's id. Requests without a key
 * (a daemon running open, on loopback only) are not limited. Each request takes one token; tokens refill
 * continuously at `perSecond` up to `burst`.
 *
 * INVARIANT: buckets are keyed by key id only, so their number is bounded by the number of keys.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { rateLimit } from "./rate_limit.ts";
 * import { problem } from "../problem/mod.ts";
 * import { OPEN_PRINCIPAL } from "../../key_store.ts";
 * import type { AppEnv } from "../../_env.ts";
 * const app = new Hono<AppEnv>();
 * app.onError(problem());
 * const principal = { ...OPEN_PRINCIPAL, keyId: "k1" };
 * app.get("/", (c, next) => (c.set("principal", principal), next()), rateLimit({ burst: 1, clock: () => 0 }),
 *   (c) => c.text("ok"));
 * await app.fetch(new Request("http://t/"));
 * const r = await app.fetch(new Request("http://t/"));
 * if (r.status !== 429 || r.headers.get("retry-after") !== "1") throw new Error(String(r.status));
 * ```
 */
export function rateLimit(options: RateLimitOptions = {}): (c: Context<AppEnv>, next: Next) => Promise<void> {
  const rate = options.perSecond ?? 50;
  const burst = options.burst ?? 100;
  const clock = options.clock ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async function rateLimit(c: Context<AppEnv>, next: Next): Promise<void> {
    const key = c.get("principal")?.keyId;
    if (key === null || key === undefined) return await next();
    const now = clock();
    const b = buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + Math.max(0, now - b.at) * rate / 1000);
    b.at = now;
    buckets.set(key, b);
    if (b.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / rate));
      throw new MemoryError(
        "RATE_LIMITED",
        `Cannot serve request: the key exceeded ${rate} requests per second; retry in ${retryAfter} s`,
        { retryAfter },
      );
    }
    b.tokens -= 1;
    await next();
  };
}
