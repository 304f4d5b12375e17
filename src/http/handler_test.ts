import { createHandler, routeTable } from "./handler.ts";
import { createKey } from "./keys.ts";
import { KeyStore } from "./key_store.ts";
import { assertDocumented, call, type Reply, withHandler, withStore } from "./_testing.ts";
import { DEFAULT_LIMITS } from "./route.ts";
import { z } from "zod";
import { NamespaceSchema } from "../memory/schema.ts";

type H = (req: Request) => Promise<Response>;

async function doc(h: H, method: string, path: string, o: Parameters<typeof call>[3] = {}): Promise<Reply> {
  const r = await call(h, method, path, o);
  assertDocumented(method, path, r);
  return r;
}

function expect(cond: boolean, state: unknown): void {
  if (!cond) throw new Error(typeof state === "string" ? state : JSON.stringify(state, null, 1));
}

Deno.test("every memory route round-trips in process and answers what the route table documents", async () => {
  await withHandler(async (h) => {
    const a = await doc(h, "POST", "/v1/memories", {
      json: { content: "Ada prefers green tea", actor: "ada" },
    });
    expect(a.status === 201 && a.body.namespace === "default" && a.body.version === 1, a);
    const id = a.body.id as string;
    const batch = await doc(h, "POST", "/v1/memories/batch", {
      json: { memories: [{ content: "Bob hikes in the Alps" }, { content: "Cat note", namespace: "cats" }] },
    });
    expect(
      batch.status === 201 &&
        batch.body.memories.map((m: { namespace: string }) => m.namespace).join() === "default,cats",
      batch,
    );
    const got = await doc(h, "GET", `/v1/memories/${id}`);
    expect(got.status === 200 && got.body.content === "Ada prefers green tea", got);
    const upd = await doc(h, "PATCH", `/v1/memories/${id}`, {
      json: { content: "Ada prefers black tea", tags: ["drinks"] },
    });
    expect(upd.status === 200 && upd.body.version === 2 && upd.body.tags[0] === "drinks", upd);
    const hist = await doc(h, "GET", `/v1/memories/${id}/history`);
    expect(hist.body.versions.map((m: { version: number }) => m.version).join() === "1,2", hist);
    const rec = await doc(h, "POST", "/v1/recall", {
      json: { query: "what does Ada drink?", k: 2, explain: true },
    });
    expect(
      rec.status === 200 && rec.body.results[0].memory.id === id && rec.body.results[0].explain.total > 0,
      rec,
    );
    const fb = await doc(h, "POST", "/v1/feedback", { json: { id, useful: false } });
    expect(
      fb.body.previousImportance === 0.5 && fb.body.importance === 0.4 && fb.body.memory.version === 2,
      fb,
    );
    const inv = await doc(h, "POST", `/v1/memories/${id}/invalidate`);
    expect(inv.status === 200 && typeof inv.body.validTo === "number", inv);
    const after = await doc(h, "POST", "/v1/recall", { json: { query: "what does Ada drink?" } });
    expect(!after.body.results.some((r: { memory: { id: string } }) => r.memory.id === id), after);
    const del = await doc(h, "DELETE", `/v1/memories/${id}`);
    expect(del.status === 204 && del.text === "", del);
    const missing = [
      await doc(h, "GET", `/v1/memories/${id}`),
      await doc(h, "DELETE", `/v1/memories/${id}`),
      await doc(h, "GET", `/v1/memories/${id}/history`),
      await doc(h, "PATCH", `/v1/memories/${id}`, { json: { importance: 1 } }),
      await doc(h, "POST", "/v1/feedback", { json: { id, useful: true } }),
      await doc(h, "POST", `/v1/memories/${id}/invalidate`, { json: {} }),
    ];
    expect(
      missing.every((r) => r.status === 404 && r.body.code === "NOT_FOUND"),
      missing.map((r) => r.status),
    );
    const stats = await doc(h, "GET", "/v1/stats");
    expect(stats.body.namespaces.default.memories === 1 && stats.body.namespaces.cats.memories === 1, stats);
  });
});

Deno.test("export streams JSON lines; import reads them into another namespace and reports bad lines", async () => {
  await withHandler(async (h) => {
    const contents = Array.from({ length: 30 }, (_, i) => `Note number ${i} about the garden`);
    await doc(h, "POST", "/v1/memories/batch", {
      json: { namespace: "src", memories: contents.map((content) => ({ content })) },
    });
    const ex = await doc(h, "GET", "/v1/export?namespace=src");
    expect(ex.status === 200 && ex.headers.get("content-type") === "application/x-ndjson", ex.status);
    const lines = ex.text.trimEnd().split("\n");
    expect(lines.length === 30 && JSON.parse(lines[0]!).content === contents[0], lines.slice(0, 2));
    const body = [lines[0], "{not json", "", '{"content":""}', ...lines.slice(1), '{"content":5}'].join("\n");
    const im = await doc(h, "POST", "/v1/import", {
      body,
      headers: { "content-type": "application/x-ndjson" },
      json: undefined,
    });
    expect(im.status === 200 && im.body.imported === 30 && im.body.failedCount === 3, im.body);
    expect(JSON.stringify(im.body.failed.map((f: { line: number }) => f.line)) === "[2,4,34]", im.body);
    const copy = await doc(h, "GET", "/v1/export", { headers: { "x-t4dm-namespace": "default" } });
    const copied = copy.text.trimEnd().split("\n").map((l) => JSON.parse(l).content).sort();
    expect(JSON.stringify(copied) === JSON.stringify([...contents].sort()), copied);
    const wrongType = await doc(h, "POST", "/v1/import", {
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(wrongType.status === 415, wrongType);
  });
});

Deno.test("the namespace comes from the body, else the query, else the header, else the key", async () => {
  const file = `${Deno.makeTempDirSync()}/keys.json`;
  const { token } = await createKey(file, {
    namespaces: ["k1", "q", "hdr", "body"],
    scopes: ["write", "read"],
  });
  const keys = await KeyStore.open(file);
  await withHandler(async (h) => {
    const ns = async (o: Parameters<typeof call>[3], query = "") =>
      (await call(h, "POST", `/v1/memories${query}`, { token, ...o })).body.namespace;
    const got = [
      await ns(
        { json: { content: "x", namespace: "body" }, headers: { "x-t4dm-namespace": "hdr" } },
        "?namespace=q",
      ),
      await ns({ json: { content: "x" }, headers: { "x-t4dm-namespace": "hdr" } }, "?namespace=q"),
      await ns({ json: { content: "x" }, headers: { "x-t4dm-namespace": "hdr" } }),
      await ns({ json: { content: "x" } }),
    ];
    expect(got.join() === "body,q,hdr,k1", got);
    const bad = await call(h, "GET", "/v1/stats", { token, headers: { "x-t4dm-namespace": "../x" } });
    expect(bad.status === 200, bad); // stats is not namespaced
    const badNs = await call(h, "GET", "/v1/export", { token, headers: { "x-t4dm-namespace": "../x" } });
    expect(badNs.status === 400 && badNs.body.field === "X-T4DM-Namespace", badNs);
  }, { keys });
});

Deno.test("concurrent requests on one store lose and duplicate nothing", async () => {
  await withHandler(async (h) => {
    const stored = await Promise.all(
      Array.from(
        { length: 120 },
        (_, i) => call(h, "POST", "/v1/memories", { json: { content: `Concurrent fact ${i}` } }),
      ),
    );
    const ids = new Set(stored.map((r) => r.body.id));
    expect(stored.every((r) => r.status === 201) && ids.size === 120, stored.map((r) => r.status));
    const id = stored[0]!.body.id;
    // Feedback and updates on one memory, all at once: every nudge and every version must survive.
    const votes = [true, true, false, true, true, true, false, true]; // +6 -2 steps of 0.1 => 0.9
    const all = await Promise.all([
      ...votes.map((useful) => call(h, "POST", "/v1/feedback", { json: { id, useful } })),
      ...votes.map((_, i) => call(h, "PATCH", `/v1/memories/${id}`, { json: { tags: [`t${i}`] } })),
    ]);
    expect(all.every((r) => r.status === 200), all.map((r) => r.text));
    const m = (await call(h, "GET", `/v1/memories/${id}`)).body;
    expect(Math.abs(m.importance - 0.9) < 1e-9 && m.version === 9, m);
    const hist = (await call(h, "GET", `/v1/memories/${id}/history`)).body.versions.map((
      v: { version: number },
    ) => v.version);
    expect(hist.join() === "1,2,3,4,5,6,7,8,9", hist);
    const lines = (await call(h, "GET", "/v1/export")).text.trimEnd().split("\n");
    expect(lines.length === 120 && new Set(lines.map((l) => JSON.parse(l).id)).size === 120, lines.length);
  });
});

Deno.test("batch limits: too many items or one bad item store nothing", async () => {
  await withHandler(async (h, mem) => {
    const many = await call(h, "POST", "/v1/memories/batch", {
      json: { memories: Array(4).fill({ content: "x" }) },
    });
    expect(many.status === 400 && many.body.field === "memories", many);
    const oneBad = await call(h, "POST", "/v1/memories/batch", {
      json: { memories: [{ content: "fine" }, { content: "bad", importance: 2 }] },
    });
    expect(oneBad.status === 400 && oneBad.body.field === "memories.1.importance", oneBad);
    expect(Object.keys((await mem.stats()).namespaces).length === 0, await mem.stats());
  }, { limits: { batch: 3 } });
});

Deno.test("health and ready need no key; ready follows the daemon's state; rate limiting answers 429", async () => {
  const file = `${Deno.makeTempDirSync()}/keys.json`;
  const { token } = await createKey(file, { namespaces: ["a"], scopes: ["read"] });
  const keys = await KeyStore.open(file);
  let state: "ready" | "draining" = "ready";
  const now = 0;
  await withStore(async (mem) => {
    const h = createHandler({
      mem,
      keys,
      readiness: () => state,
      rateLimit: { perSecond: 1, burst: 2 },
      clock: () => now,
    });
    const health = await doc(h, "GET", "/health");
    const ready = await doc(h, "GET", "/ready");
    state = "draining";
    const draining = await doc(h, "GET", "/ready");
    expect(health.body.status === "ok" && ready.status === 200 && draining.status === 503, [
      health,
      ready,
      draining,
    ]);
    const seq = [];
    for (let i = 0; i < 3; i++) seq.push(await doc(h, "GET", "/v1/stats", { token }));
    expect(
      seq.map((r) => r.status).join() === "200,200,429" && seq[2]!.headers.get("retry-after") === "1",
      seq,
    );
    expect(seq[0]!.body.engine === undefined, seq[0]!.body);
  });
});

Deno.test("the OpenAPI document has every route, request and response, and every reference resolves", async () => {
  await withHandler(async (h) => {
    const d = (await call(h, "GET", "/openapi.json")).body;
    const routes = routeTable(DEFAULT_LIMITS, () => ({}));
    const problems: string[] = [];
    for (const r of routes) {
      const op = d.paths[r.path.replace(/:(\w+)/g, "{$1}")]?.[r.method.toLowerCase()];
      if (!op) problems.push(`missing ${r.method} ${r.path}`);
      for (const s of Object.keys(r.responses)) {
        if (!op?.responses?.[s]) problems.push(`${r.operationId} lacks ${s}`);
      }
      if (r.body && !op?.requestBody) problems.push(`${r.operationId} lacks its request body`);
    }
    const text = JSON.stringify(d);
    for (const [, ref] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      if (!d.components.schemas[ref!]) problems.push(`dangling ${ref}`);
    }
    expect(problems.length === 0 && d.openapi === "3.1.0" && !text.includes("__shared"), problems);
    expect(/501/.test(JSON.stringify(d.paths["/v1/consolidate"])), "consolidate undocumented");
    // Generated, not hand-written: the import's line schema and the namespace header come from zod.
    const body = d.paths["/v1/import"].post.requestBody.content["application/x-ndjson"];
    const line = d.components.schemas[body["x-t4dm-line-schema"].$ref.split("/").pop()];
    expect(line?.properties?.content && line.required?.includes("content"), { body, line });
    const header = d.paths["/v1/recall"].post.parameters.find((p: { name: string }) =>
      p.name === "X-T4DM-Namespace"
    );
    const want = z.toJSONSchema(NamespaceSchema, { io: "input" }) as { pattern: string };
    expect(header?.schema?.pattern === want.pattern && want.pattern.length > 0, { header, want });
  });
});
