import { mulberry32 } from "../../engine/util/rng.ts";
import { T4DM } from "../../src/memory/t4dm.ts";
import { createHandler, routeTable } from "../../src/http/handler.ts";
import { createKey, revokeKey } from "../../src/http/keys.ts";
import { KeyStore } from "../../src/http/key_store.ts";
import { DEFAULT_LIMITS } from "../../src/http/route.ts";
import { serve } from "../../src/http/serve.ts";
import { call, embedder, type Reply, withStore } from "../../src/http/_testing.ts";

type H = (req: Request) => Promise<Response>;
type Sample = { method: string; path: string; json?: unknown; body?: string; type?: string; scope: string };

const JSONL = "application/x-ndjson";

/** One plausible request per non-public route. */
function samples(id: string): Sample[] {
  return [
    { method: "POST", path: "/v1/memories", json: { content: "intruder" }, scope: "write" },
    {
      method: "POST",
      path: "/v1/memories/batch",
      json: { memories: [{ content: "intruder" }] },
      scope: "write",
    },
    { method: "GET", path: `/v1/memories/${id}`, scope: "read" },
    { method: "PATCH", path: `/v1/memories/${id}`, json: { content: "defaced" }, scope: "write" },
    { method: "DELETE", path: `/v1/memories/${id}`, scope: "write" },
    { method: "POST", path: `/v1/memories/${id}/invalidate`, json: {}, scope: "write" },
    { method: "GET", path: `/v1/memories/${id}/history`, scope: "read" },
    { method: "POST", path: "/v1/recall", json: { query: "secret" }, scope: "read" },
    { method: "POST", path: "/v1/feedback", json: { id, useful: false }, scope: "write" },
    { method: "GET", path: "/v1/export", scope: "read" },
    { method: "POST", path: "/v1/import", body: '{"content":"intruder"}\n', type: JSONL, scope: "write" },
    { method: "GET", path: "/v1/stats", scope: "read" },
    { method: "POST", path: "/v1/consolidate", scope: "admin" },
    { method: "GET", path: "/openapi.json", scope: "any" },
  ];
}

function send(h: H, s: Sample, o: { token?: string; headers?: Record<string, string>; query?: string } = {}) {
  const headers = { ...o.headers, ...(s.type ? { "content-type": s.type } : {}) };
  const path = s.path + (o.query ?? "");
  return call(h, s.method, path, {
    headers,
    ...(s.json !== undefined ? { json: s.json } : {}),
    ...(s.body ? { body: s.body } : {}),
    ...(o.token ? { token: o.token } : {}),
  });
}

function expect(cond: boolean, state: unknown): void {
  if (!cond) throw new Error(typeof state === "string" ? state : JSON.stringify(state, null, 1));
}

async function snapshot(mem: T4DM): Promise<string> {
  const out: string[] = [];
  for (const ns of Object.keys((await mem.stats()).namespaces).sort()) {
    for await (const line of mem.export({ namespace: ns })) {
      const { access: _, ...m } = JSON.parse(line);
      out.push(JSON.stringify(m));
    }
  }
  return out.join("\n");
}

Deno.test("the samples cover every route that needs a key", () => {
  const covered = new Set(samples(":id").map((s) => `${s.method} ${s.path}`));
  const missing = routeTable(DEFAULT_LIMITS, () => ({})).filter((r) => r.access !== "public")
    .map((r) => `${r.method} ${r.path}`).filter((r) => !covered.has(r));
  expect(missing.length === 0, missing);
});

Deno.test("without a valid key every route but /health and /ready answers 401 and changes nothing", async () => {
  const file = `${Deno.makeTempDirSync()}/keys.json`;
  const admin = await createKey(file, { namespaces: ["*"], scopes: ["admin"] });
  const revoked = await createKey(file, { namespaces: ["*"], scopes: ["admin"] });
  await revokeKey(file, revoked.key.id);
  const keys = await KeyStore.open(file);
  await withStore(async (mem) => {
    const h = createHandler({ mem, keys, rateLimit: false });
    const id = (await call(h, "POST", "/v1/memories", {
      token: admin.token,
      json: { content: "the vault code is 1234" },
    })).body.id;
    const before = await snapshot(mem);
    const bad = [
      undefined,
      "Bearer",
      `Bearer ${admin.token}x`,
      `Basic ${admin.token}`,
      `Bearer ${revoked.token}`,
      "Bearer t4dm_0_0",
    ];
    const wrong: string[] = [];
    for (const s of samples(id)) {
      for (const authz of bad) {
        const r = await send(h, s, authz ? { headers: { authorization: authz } } : {});
        if (r.status !== 401 || r.headers.get("www-authenticate") === null) {
          wrong.push(`${s.method} ${s.path} ${authz}: ${r.status}`);
        }
      }
    }
    for (const p of ["/health", "/ready"]) if ((await call(h, "GET", p)).status !== 200) wrong.push(p);
    expect(wrong.length === 0 && await snapshot(mem) === before, wrong);
  });
});

Deno.test("a read-only key cannot write, and a read/write key cannot administer", async () => {
  const file = `${Deno.makeTempDirSync()}/keys.json`;
  const reader = await createKey(file, { namespaces: ["a"], scopes: ["read"] });
  const writer = await createKey(file, { namespaces: ["a"], scopes: ["read", "write"] });
  const keys = await KeyStore.open(file);
  await withStore(async (mem) => {
    const h = createHandler({ mem, keys, rateLimit: false });
    const id =
      (await call(h, "POST", "/v1/memories", { token: writer.token, json: { content: "original" } })).body.id;
    const before = await snapshot(mem);
    const got: string[] = [];
    for (const s of samples(id)) {
      const r = await send(h, s, { token: reader.token });
      const denied = r.status === 403 && r.body.code === "FORBIDDEN";
      if (denied !== (s.scope === "write" || s.scope === "admin")) {
        got.push(`${s.method} ${s.path}: ${r.status}`);
      }
    }
    const consolidate = await call(h, "POST", "/v1/consolidate", { token: writer.token });
    expect(got.length === 0 && consolidate.status === 403 && await snapshot(mem) === before, {
      got,
      consolidate,
    });
  });
});

Deno.test("a key scoped to namespace A never reads or writes namespace B (randomised)", async () => {
  const rng = mulberry32(20240601);
  const names = ["alpha", "beta", "gamma", "delta", "eps.ilon"];
  const file = `${Deno.makeTempDirSync()}/keys.json`;
  const tokens: Record<string, string> = {};
  for (const ns of names) {
    tokens[ns] = (await createKey(file, { namespaces: [ns], scopes: ["read", "write"] })).token;
  }
  const pair = (await createKey(file, { namespaces: ["alpha", "beta"], scopes: ["read", "write"] })).token;
  const keys = await KeyStore.open(file);
  await withStore(async (mem) => {
    const h = createHandler({ mem, keys, rateLimit: false });
    const ids: Record<string, string[]> = {};
    for (const ns of names) {
      const r = await call(h, "POST", "/v1/memories/batch", {
        token: tokens[ns]!,
        json: { memories: Array.from({ length: 3 }, (_, i) => ({ content: `secret ${i} of ${ns}` })) },
      });
      ids[ns] = r.body.memories.map((m: { id: string }) => m.id);
    }
    const before = await snapshot(mem);
    const pick = <T>(xs: T[]) => xs[Math.floor(rng() * xs.length)]!;
    const leaks: string[] = [];
    for (let trial = 0; trial < 300; trial++) {
      const a = pick(names);
      const b = pick(names.filter((n) => n !== a && !(a === "alpha" && n === "beta")));
      const s = pick(samples(pick(ids[b]!)).filter((x) => x.scope === "read" || x.scope === "write"));
      if (s.path === "/v1/stats") continue;
      const how = pick(["query", "header", "body", "none"] as const);
      let r: Reply;
      if (how === "query") r = await send(h, s, { token: tokens[a]!, query: `?namespace=${b}` });
      else if (how === "header") {
        r = await send(h, s, { token: tokens[a]!, headers: { "x-t4dm-namespace": b } });
      } else if (how === "body" && s.json !== undefined) {
        r = await send(h, { ...s, json: { ...(s.json as object), namespace: b } }, { token: tokens[a]! });
      } else r = await send(h, s, { token: tokens[a]! });
      const named = how !== "none" && !(how === "body" && s.json === undefined);
      const leaked = r.text.includes(`of ${b}`);
      // Naming B is refused; naming nothing works in A, where B's ids do not exist.
      const ok = named ? r.status === 403 : !leaked && (r.status < 300 || r.status === 404);
      if (!ok || leaked) {
        leaks.push(`${a}->${b} ${how} ${s.method} ${s.path}: ${r.status} ${r.text.slice(0, 120)}`);
      }
    }
    const own = names.map((ns) => ns);
    const stats = await call(h, "GET", "/v1/stats", { token: tokens.gamma! });
    const pairGets = await Promise.all([
      call(h, "GET", `/v1/memories/${ids.beta![0]}?namespace=beta`, { token: pair }),
      call(h, "GET", `/v1/memories/${ids.gamma![0]}?namespace=gamma`, { token: pair }),
    ]);
    expect(
      leaks.length === 0 && Object.keys(stats.body.namespaces).join() === "gamma" &&
        pairGets.map((r) => r.status).join() === "200,403",
      { leaks, stats: stats.body, pair: pairGets.map((r) => r.status), own },
    );
    // Writes done in the keys' own namespaces (stores, imports) are allowed; B's memories are untouched.
    const after = (await snapshot(mem)).split("\n").filter((l) => !l.includes("intruder"));
    const beforeLines = before.split("\n");
    const changed = beforeLines.filter((l) => !after.includes(l)).length;
    expect(changed === 0, { changed });
  });
});

Deno.test("oversized, malformed, mistyped and unknown input is refused with the right status and field", async () => {
  await withStore(async (mem) => {
    const h = createHandler({ mem, rateLimit: false, limits: { bodyBytes: 4096, importBytes: 8192 } });
    const json = "application/json";
    const cases: [string, string, string | undefined, string, string][] = [
      ["POST", "/v1/memories", json, JSON.stringify({ content: "x".repeat(5000) }), "413 PAYLOAD_TOO_LARGE"],
      ["POST", "/v1/import", JSONL, '{"content":"ok"}\n'.repeat(600), "413 PAYLOAD_TOO_LARGE"],
      ["POST", "/v1/memories", json, '{"content": "x"', "400 VALIDATION (body)"],
      ["POST", "/v1/memories", json, "", "400 VALIDATION (body)"],
      ["POST", "/v1/memories", json, "null", "400 VALIDATION (root)"],
      ["POST", "/v1/memories", json, '{"content": 42}', "400 VALIDATION content"],
      ["POST", "/v1/memories", json, '{"content": "x", "importance": "high"}', "400 VALIDATION importance"],
      ["POST", "/v1/memories", json, '{"content": "x", "isAdmin": true}', "400 VALIDATION isAdmin"],
      [
        "POST",
        "/v1/memories",
        json,
        '{"content": "x", "__proto__": {"polluted": 1}}',
        "400 VALIDATION __proto__",
      ],
      [
        "POST",
        "/v1/memories",
        json,
        '{"content": "x", "metadata": ' + "[".repeat(40) + "]".repeat(40) + "}",
        "400 VALIDATION (body)",
      ],
      ["POST", "/v1/memories", "text/plain", '{"content": "x"}', "415 UNSUPPORTED_MEDIA_TYPE"],
      ["POST", "/v1/memories", undefined, '{"content": "x"}', "415 UNSUPPORTED_MEDIA_TYPE"],
      ["POST", "/v1/recall", json, '{"query": "x", "k": 1000000}', "400 VALIDATION k"],
      ["POST", "/v1/recall", json, '{"query": "x", "k": 2.5}', "400 VALIDATION k"],
      ["POST", "/v1/recall", json, '{"query": "x", "k": -1}', "400 VALIDATION k"],
      ["POST", "/v1/recall", json, '{"query": ""}', "400 VALIDATION query"],
      ["POST", "/v1/recall", json, '{"query": "x", "namespace": "a/b"}', "400 VALIDATION namespace"],
      ["POST", "/v1/memories/batch", json, JSON.stringify({ memories: [] }), "400 VALIDATION memories"],
      [
        "POST",
        "/v1/memories/batch",
        json,
        JSON.stringify({ memories: Array(1001).fill({ content: "x" }) }),
        "413 PAYLOAD_TOO_LARGE",
      ],
      ["POST", "/v1/feedback", json, '{"id": "x", "useful": "yes"}', "400 VALIDATION useful"],
      ["GET", "/v1/export?namespace=a&namespace=b", undefined, "", "400 VALIDATION namespace"],
      ["GET", "/v1/stats?debug=1", undefined, "", "400 VALIDATION debug"],
    ];
    const got: string[] = [];
    const want: string[] = [];
    for (const [method, path, type, body, expected] of cases) {
      const r = await call(h, method, path, {
        headers: type ? { "content-type": type } : {},
        ...(body ? { body } : {}),
      });
      got.push(
        `${method} ${path} ${body.slice(0, 40)} -> ${r.status} ${r.body.code}${
          r.body.field ? ` ${r.body.field}` : ""
        }`,
      );
      want.push(`${method} ${path} ${body.slice(0, 40)} -> ${expected}`);
    }
    expect(JSON.stringify(got) === JSON.stringify(want), got.filter((g, i) => g !== want[i]));
    expect(
      (await snapshot(mem)) === "" && ({} as { polluted?: number }).polluted === undefined,
      "something stored",
    );
    const batch = await call(h, "POST", "/v1/memories/batch", {
      json: { memories: Array(1001).fill({ content: "x" }) },
    });
    expect(batch.status === 413, batch.status); // 1001 items exceed the 4 KiB body limit first
  });
  await withStore(async (mem) => {
    const h = createHandler({ mem, rateLimit: false });
    const r = await call(h, "POST", "/v1/memories/batch", {
      json: { memories: Array(1001).fill({ content: "x" }) },
    });
    expect(r.status === 400 && r.body.field === "memories" && (await snapshot(mem)) === "", r.body);
  });
});

Deno.test("path-like and oversized ids never reach the store or the file system", async () => {
  const dir = Deno.makeTempDirSync();
  const keysFile = `${dir}/keys.json`;
  await createKey(keysFile, { namespaces: ["*"], scopes: ["admin"] });
  const keysBefore = Deno.readTextFileSync(keysFile);
  await withStore(async (mem, path) => {
    const h = createHandler({ mem, rateLimit: false });
    const filesBefore = [...Deno.readDirSync(path)].map((e) => e.name).sort().join();
    const ids = [
      "../x",
      "..%2Fx",
      "%2e%2e",
      "%2e%2e%2fkeys.json",
      "..%5C..%5Cwindows",
      "a%00b",
      "%252e%252e",
      encodeURIComponent(keysFile),
      "x".repeat(129),
      "y".repeat(10_000),
      "%E2%80%AE",
      "a%20b",
      "%",
    ];
    const bad: string[] = [];
    for (const id of ids) {
      for (
        const [method, suffix, json] of [
          ["GET", "", undefined],
          ["PATCH", "", { importance: 1 }],
          ["DELETE", "", undefined],
          ["GET", "/history", undefined],
          ["POST", "/invalidate", {}],
        ] as const
      ) {
        const r = await call(h, method, `/v1/memories/${id}${suffix}`, json ? { json } : {});
        if (![400, 404].includes(r.status) || r.headers.get("content-type") !== "application/problem+json") {
          bad.push(`${method} ${id.slice(0, 30)}${suffix}: ${r.status} ${r.text.slice(0, 100)}`);
        }
      }
      const fb = await call(h, "POST", "/v1/feedback", {
        json: { id: decodeURIComponent(id.replace(/%(?![0-9A-F]{2})/gi, "")), useful: true },
      });
      if (![400, 404].includes(fb.status)) bad.push(`feedback ${id.slice(0, 30)}: ${fb.status}`);
    }
    const filesAfter = [...Deno.readDirSync(path)].map((e) => e.name).sort().join();
    expect(bad.length === 0 && filesAfter === filesBefore && await snapshot(mem) === "", {
      bad,
      filesBefore,
      filesAfter,
    });
  });
  expect(
    Deno.readTextFileSync(keysFile) === keysBefore && [...Deno.readDirSync(dir)].length === 1,
    "keys dir touched",
  );
});

Deno.test("graceful shutdown: an in-flight request completes, new ones get 503 then refused, the store reopens cleanly", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "t4dm-shutdown-" });
  const ac = new AbortController();
  const server = await serve({
    dataDir,
    port: 0,
    embedder,
    signal: ac.signal,
    onListen: () => {},
    handleSignals: false,
  });
  const enc = new TextEncoder();
  let feed!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (feed = c) });
  const inFlight = fetch(`${server.url}/v1/import?namespace=drain`, {
    method: "POST",
    body,
    headers: { "content-type": JSONL },
    duplex: "half",
  } as RequestInit);
  feed.enqueue(enc.encode('{"content":"first line before shutdown"}\n'));
  await new Promise((r) => setTimeout(r, 100));
  ac.abort();
  await new Promise((r) => setTimeout(r, 100));
  const during = await Promise.all(["/ready", "/v1/stats"].map(async (p) => {
    const r = await fetch(`${server.url}${p}`);
    const b = await r.json();
    return `${r.status} ${b.status === 503 ? b.code : b.status}`;
  }));
  for (let i = 0; i < 20; i++) feed.enqueue(enc.encode(`{"content":"line ${i} during the drain"}\n`));
  feed.close();
  const res = await inFlight;
  const result = await res.json();
  await server.finished;
  let refused = false;
  try {
    await fetch(`${server.url}/health`);
  } catch {
    refused = true;
  }
  const mem = await T4DM.open({ path: dataDir, embedder });
  try {
    const count = (await mem.stats()).namespaces.drain?.memories;
    const ok = res.status === 200 && result.imported === 21 && refused && count === 21 &&
      during.join() === "503 draining,503 UNAVAILABLE";
    expect(ok, { status: res.status, result, refused, count, during });
  } finally {
    await mem.close();
    Deno.removeSync(dataDir, { recursive: true });
  }
});

async function rawGet(port: number, host: string, path: string, extra = ""): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const head = `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`;
    await conn.write(new TextEncoder().encode(head));
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(4096);
    for (let n; (n = await conn.read(buf)) !== null;) chunks.push(buf.slice(0, n));
    return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c]))).split("\r\n")[0]!;
  } finally {
    conn.close();
  }
}

Deno.test("running open, the daemon refuses other hosts and origins (DNS rebinding, web pages) and text/plain posts", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "t4dm-rebind-" });
  const server = await serve({ dataDir, port: 0, embedder, onListen: () => {}, handleSignals: false });
  try {
    const got = [
      await rawGet(server.port, "evil.example", "/v1/stats"),
      await rawGet(server.port, `localhost:${server.port}`, "/v1/stats"),
      await rawGet(server.port, `127.0.0.1:${server.port}`, "/v1/stats"),
      await rawGet(server.port, "evil.example", "/health"),
      await rawGet(server.port, `localhost:${server.port}`, "/v1/stats", "Origin: https://evil.example\r\n"),
      await rawGet(server.port, `localhost:${server.port}`, "/v1/stats", "Origin: null\r\n"),
      await rawGet(server.port, `localhost:${server.port}`, "/v1/stats", `Origin: http://localhost:3000\r\n`),
    ];
    const plain = await fetch(`${server.url}/v1/import`, {
      method: "POST",
      body: '{"content":"planted by a web page"}\n',
      headers: { "content-type": "text/plain" },
    });
    await plain.body?.cancel();
    await createKey(`${dataDir}/keys.json`, { namespaces: ["*"], scopes: ["admin"] });
    await new Promise((r) => setTimeout(r, 1100)); // the key store re-reads the file at most once a second
    got.push(await rawGet(server.port, "evil.example", "/v1/stats"));
    const want = [
      "HTTP/1.1 403 Forbidden",
      "HTTP/1.1 200 OK",
      "HTTP/1.1 200 OK",
      "HTTP/1.1 403 Forbidden",
      "HTTP/1.1 403 Forbidden",
      "HTTP/1.1 403 Forbidden",
      "HTTP/1.1 200 OK",
      "HTTP/1.1 401 Unauthorized",
    ];
    expect(JSON.stringify(got) === JSON.stringify(want) && plain.status === 415, {
      got,
      plain: plain.status,
    });
  } finally {
    await server.shutdown();
    Deno.removeSync(dataDir, { recursive: true });
  }
});
