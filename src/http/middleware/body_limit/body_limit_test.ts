import { Hono } from "hono";
import { problem } from "../problem/mod.ts";
import { bodyLimit } from "./body_limit.ts";

function app(buffer: boolean): Hono {
  const a = new Hono();
  a.onError(problem());
  a.post("/", bodyLimit({ maxBytes: 10, buffer }), async (c) => c.text(`got ${(await c.req.text()).length}`));
  return a;
}

function chunked(n: number, size: number, pulled: { count: number }): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(ctrl) {
      pulled.count++;
      if (i++ >= n) ctrl.close();
      else ctrl.enqueue(new Uint8Array(size));
    },
  });
}

Deno.test("bodyLimit() passes bodies up to the limit and refuses larger ones with 413", async (t) => {
  await t.step("at the limit", async () => {
    const r = await app(true).fetch(new Request("http://t/", { method: "POST", body: "x".repeat(10) }));
    if (r.status !== 200 || await r.text() !== "got 10") throw new Error(String(r.status));
  });
  await t.step("a declared Content-Length over the limit fails before reading", async () => {
    const pulled = { count: 0 };
    const req = new Request("http://t/", {
      method: "POST",
      body: chunked(1, 1, pulled),
      headers: { "content-length": "11" },
    });
    const r = await app(true).fetch(req);
    const p = await r.json();
    if (r.status !== 413 || p.code !== "PAYLOAD_TOO_LARGE" || pulled.count > 1) {
      throw new Error(`${r.status} ${JSON.stringify(p)} pulled ${pulled.count}`);
    }
  });
  await t.step("a chunked body is counted and reading stops at the limit", async () => {
    const pulled = { count: 0 };
    const r = await app(true).fetch(
      new Request("http://t/", { method: "POST", body: chunked(1000, 4, pulled) }),
    );
    if (r.status !== 413 || pulled.count > 6) throw new Error(`${r.status} pulled ${pulled.count}`);
    await r.body?.cancel();
  });
  await t.step(
    "without buffering only Content-Length is checked and the stream is left to the route",
    async () => {
      const pulled = { count: 0 };
      const r = await app(false).fetch(
        new Request("http://t/", { method: "POST", body: chunked(5, 4, pulled) }),
      );
      if (r.status !== 200 || await r.text() !== "got 20") throw new Error(String(r.status));
    },
  );
});
