import { Hono } from "hono";
import type { AppEnv } from "../../_env.ts";
import { OPEN_PRINCIPAL } from "../../key_store.ts";
import { problem } from "../problem/mod.ts";
import { rateLimit } from "./rate_limit.ts";

Deno.test("rateLimit() allows a burst, then 429 with Retry-After, refills over time, per key", async () => {
  let now = 0;
  const a = new Hono<AppEnv>();
  a.onError(problem());
  a.get(
    "/:key",
    (c, next) => (c.set("principal", { ...OPEN_PRINCIPAL, keyId: c.req.param("key") ?? null }), next()),
    rateLimit({ perSecond: 2, burst: 3, clock: () => now }),
    (c) => c.text("ok"),
  );
  const hit = async (key: string) => {
    const r = await a.fetch(new Request(`http://t/${key}`));
    const body = await r.json().catch(() => ({}));
    return r.status === 429 ? `429 ${r.headers.get("retry-after")} ${body.retryAfter}` : String(r.status);
  };
  const got: string[] = [];
  for (let i = 0; i < 4; i++) got.push(await hit("a"));
  got.push(await hit("b"));
  now += 499;
  got.push(await hit("a"));
  now += 2;
  got.push(await hit("a"));
  const want = ["200", "200", "200", "429 1 1", "200", "429 1 1", "200"];
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(JSON.stringify(got));
});
