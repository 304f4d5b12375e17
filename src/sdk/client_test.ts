import type { z } from "zod";
import { createHandler } from "../http/handler.ts";
import { createKey } from "../http/keys.ts";
import { KeyStore } from "../http/key_store.ts";
import type {
  FeedbackResultSchema,
  ImportResultSchema,
  RecallResponseSchema,
  StatsResponseSchema,
} from "../http/schemas.ts";
import { withStore } from "../http/_testing.ts";
import { type FetchLike, T4DMClient, type T4DMClientOptions } from "./client.ts";
import {
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  T4DMHttpError,
  T4DMTimeoutError,
  UnauthorizedError,
  ValidationError,
} from "./errors.ts";
import type { FeedbackResult, ImportResult, RecallResult, Stats } from "./types.ts";

// The SDK's response types and the daemon's response schemas describe the same bodies: every SDK value
// fits the schema and both have the same fields (zod adds `| undefined` to optional fields, so the
// reverse assignment cannot hold under exactOptionalPropertyTypes).
type Fits<A, B> = [A] extends [B] ? true : false;
type Mutual<A, B> = Fits<A, B> extends true
  ? Fits<keyof A, keyof B> extends true ? Fits<keyof B, keyof A> : false
  : false;
const _typesMatch: [
  Mutual<RecallResult, z.output<typeof RecallResponseSchema>["results"][number]>,
  Mutual<FeedbackResult, z.output<typeof FeedbackResultSchema>>,
  Mutual<ImportResult, z.output<typeof ImportResultSchema>>,
  Mutual<Stats, z.output<typeof StatsResponseSchema>>,
] = [true, true, true, true];
void _typesMatch;

type Handler = (req: Request) => Promise<Response>;

function client(h: Handler, o: Partial<T4DMClientOptions> = {}): T4DMClient {
  return new T4DMClient({ baseUrl: "http://t4dm.test/", fetch: (i, init) => h(new Request(i, init)), ...o });
}

async function rejects(p: Promise<unknown>, cls: new (...a: never[]) => Error): Promise<Error> {
  try {
    await p;
  } catch (e) {
    if (e instanceof cls) return e;
    throw new Error(`expected ${cls.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
  throw new Error(`expected ${cls.name}, got success`);
}

function expect(cond: boolean, state: unknown): void {
  if (!cond) throw new Error(JSON.stringify(state, null, 1));
}

Deno.test("T4DMClient covers every route against the in-process handler", async () => {
  await withStore(async (mem) => {
    const t4dm = client(createHandler({ mem, rateLimit: false }), { namespace: "agent" });
    const a = await t4dm.store({ content: "Ada prefers green tea", actor: "ada" });
    const many = await t4dm.storeMany([{ content: "Bob hikes" }, {
      content: "Cat naps",
      namespace: "other",
    }]);
    expect(a.namespace === "agent" && many.map((m) => m.namespace).join() === "agent,other", many);
    expect((await t4dm.get(a.id))?.content === a.content && (await t4dm.get("nope")) === undefined, "get");
    const u = await t4dm.update(a.id, { importance: 0.9 });
    const [top] = await t4dm.recall({ query: "what does Ada drink", k: 1 });
    const fb = await t4dm.feedback(a.id, true);
    const inv = await t4dm.invalidate(a.id, { at: Date.now() + 60_000 });
    const hist = await t4dm.history(a.id);
    expect(
      u.version === 2 && top?.memory.id === a.id && fb.importance === 1 && fb.previousImportance === 0.9 &&
        inv.validTo !== undefined && hist.length === 3,
      { u, top, fb, inv, hist: hist.length },
    );
    const lines: string[] = [];
    for await (const l of t4dm.exportJsonl()) lines.push(l);
    expect(lines.length === 2, lines);
    async function* gen() {
      yield '{"content":"streamed one"}';
      yield "{broken";
    }
    const r1 = await t4dm.importJsonl(lines, { namespace: "copy" });
    const r2 = await t4dm.importJsonl(gen(), { namespace: "copy" });
    const r3 = await t4dm.importJsonl('{"content":"plain"}\n', { namespace: "copy" });
    expect(r1.imported === 2 && r2.imported === 1 && r2.failed[0]?.line === 2 && r3.imported === 1, {
      r1,
      r2,
      r3,
    });
    const stats = await t4dm.stats();
    expect(stats.namespaces.copy?.memories === 4 && stats.namespaces.agent?.memories === 2, stats);
    expect(await t4dm.forget(a.id) && !(await t4dm.forget(a.id)), "forget");
    expect((await t4dm.health()).status === "ok" && await t4dm.ready(), "health");
    expect((await t4dm.openapi()).openapi === "3.1.0", "openapi");
  });
});

Deno.test("T4DMClient throws typed errors", async () => {
  const file = `${Deno.makeTempDirSync()}/keys.json`;
  const reader = await createKey(file, { namespaces: ["a"], scopes: ["read"] });
  const writer = await createKey(file, { namespaces: ["a"], scopes: ["write", "read"] });
  const keys = await KeyStore.open(file);
  await withStore(async (mem) => {
    const h = createHandler({ mem, keys, rateLimit: { perSecond: 0.001, burst: 4 } });
    const w = client(h, { apiKey: writer.token, retries: 0 });
    const v = await rejects(w.recall({ query: "x", k: 5000 }), ValidationError) as ValidationError;
    expect(v.field === "k" && v.status === 400 && v.problem?.code === "VALIDATION", v);
    await rejects(w.update("missing", { importance: 1 }), NotFoundError);
    await rejects(client(h).stats(), UnauthorizedError);
    await rejects(client(h, { apiKey: reader.token }).store({ content: "x" }), ForbiddenError);
    await rejects(w.get("x", { namespace: "b" }), ForbiddenError);
    await w.stats();
    const rl = await rejects(w.stats(), RateLimitedError) as RateLimitedError;
    expect(rl.retryAfter > 0 && rl instanceof T4DMHttpError, rl);
  });
});

/** A fetch that fails with each of `script` in turn (a status, "network" or "hang"), then answers 200. */
function flaky(script: (number | "network" | "hang")[], calls: string[]): FetchLike {
  return (input, init) => {
    const req = new Request(input, init);
    calls.push(req.method);
    const step = script.shift();
    if (step === "network") return Promise.reject(new TypeError("connection reset"));
    if (step === "hang") {
      return new Promise((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))
      );
    }
    if (typeof step === "number") {
      const headers = { "content-type": "application/problem+json", "retry-after": "0" };
      const body = { type: "x", title: "t", status: step, detail: "try later", code: "UNAVAILABLE" };
      return Promise.resolve(new Response(JSON.stringify(body), { status: step, headers }));
    }
    return Promise.resolve(
      Response.json({ status: "ok", results: [], namespaces: {}, embedder: "e", embedderRuntime: "r" }),
    );
  };
}

Deno.test("T4DMClient retries idempotent calls with backoff, never the others", async (t) => {
  const base = { baseUrl: "http://x", random: () => 0.5, retryBaseMs: 1 };
  await t.step("GET and recall retry through 503, 502 and network errors", async () => {
    const calls: string[] = [];
    const c = new T4DMClient({ ...base, fetch: flaky([503, "network", 502], calls), retries: 3 });
    await c.stats();
    expect(calls.join() === "GET,GET,GET,GET", calls);
    calls.length = 0;
    const c2 = new T4DMClient({ ...base, fetch: flaky([503], calls) });
    await c2.recall({ query: "x" });
    expect(calls.join() === "POST,POST", calls);
  });
  await t.step("writes without ids are not retried; stores with ids are", async () => {
    const calls: string[] = [];
    const c = new T4DMClient({ ...base, fetch: flaky([503, 503, 503, 503], calls) });
    const e = await rejects(c.store({ content: "x" }), T4DMHttpError) as T4DMHttpError;
    await rejects(c.update("id", { importance: 1 }), T4DMHttpError);
    expect(e.status === 503 && calls.join() === "POST,PATCH", calls);
    calls.length = 0;
    await c.store({ id: "fixed", content: "x" }); // 503, 503, then 200
    expect(calls.length === 3, calls);
  });
  await t.step("retries stop after `retries` attempts and surface the last error", async () => {
    const calls: string[] = [];
    const c = new T4DMClient({ ...base, fetch: flaky([503, 503, 503, 503], calls), retries: 2 });
    await rejects(c.health(), T4DMHttpError);
    expect(calls.length === 3, calls);
  });
  await t.step("a Retry-After beyond retryMaxMs is not waited for", async () => {
    const calls: string[] = [];
    const fetch: FetchLike = () => (calls.push("GET"),
      Promise.resolve(
        new Response('{"detail":"slow","code":"RATE_LIMITED","status":429}', {
          status: 429,
          headers: { "retry-after": "60" },
        }),
      ));
    const e = await rejects(new T4DMClient({ ...base, fetch, retryMaxMs: 1000 }).stats(), RateLimitedError);
    expect((e as RateLimitedError).retryAfter === 60 && calls.length === 1, calls);
  });
});

Deno.test("T4DMClient times out per attempt and honours the caller's AbortSignal", async () => {
  const calls: string[] = [];
  const c = new T4DMClient({
    baseUrl: "http://x",
    timeoutMs: 30,
    retries: 1,
    retryBaseMs: 1,
    fetch: flaky(["hang", "hang"], calls),
  });
  const e = await rejects(c.stats(), T4DMTimeoutError);
  expect(e.message.includes("30 ms") && calls.length === 2, { msg: e.message, calls });
  calls.length = 0;
  const ac = new AbortController();
  const c2 = new T4DMClient({ baseUrl: "http://x", retries: 3, fetch: flaky(["hang", "hang"], calls) });
  const p = c2.stats({ signal: ac.signal });
  setTimeout(() => ac.abort(new DOMException("stop", "AbortError")), 10);
  const aborted = await rejects(p, DOMException);
  expect(aborted.name === "AbortError" && calls.length === 1, calls);
});

Deno.test("the SDK imports no server code at run time", () => {
  const dir = new URL(".", import.meta.url);
  const problems: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (!e.name.endsWith(".ts") || e.name.endsWith("_test.ts")) continue;
    const src = Deno.readTextFileSync(new URL(e.name, dir));
    for (const m of src.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)"/gms)) {
      const [stmt, , typeOnly, spec] = m;
      if (!spec!.startsWith("./") && !typeOnly) problems.push(`${e.name}: ${stmt}`);
      if (spec!.startsWith("./") && spec!.includes("/../")) problems.push(`${e.name}: ${stmt}`);
    }
    if (/\bDeno\./.test(src)) problems.push(`${e.name} uses Deno APIs`);
  }
  expect(problems.length === 0, problems);
});
