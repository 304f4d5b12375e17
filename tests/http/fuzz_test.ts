/**
 * Seeded fuzzing of the daemon: thousands of malformed requests (bad JSON, wrong types, unknown and
 * missing fields, odd paths, ids, headers and content types). Every body is invalid by construction, so
 * nothing may be stored; no answer may be a 5xx; the daemon must stay healthy.
 */
import { mulberry32 } from "../../engine/util/rng.ts";
import { createHandler } from "../../src/http/handler.ts";
import { createKey } from "../../src/http/keys.ts";
import { KeyStore } from "../../src/http/key_store.ts";
import { serve } from "../../src/http/serve.ts";
import { call, embedder, withStore } from "../../src/http/_testing.ts";

type Rng = () => number;
type Req = { method: string; path: string; headers: Record<string, string>; body?: BodyInit };

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);

function junk(rng: Rng, n: number): string {
  const alphabet = "abc/.%:_-?#&=[]{}\"'\\ \u00e9\u202e\u0000\n\t0123456789";
  return Array.from({ length: n }, () => alphabet[int(rng, alphabet.length)]).join("");
}

const IDS = (rng: Rng) => [
  "0190b0c6-7d1c-7000-8000-000000000000",
  "..",
  "...",
  "%2e%2e",
  "..%2F..%2Fetc",
  "%00",
  "%",
  "%ZZ",
  "a".repeat(129),
  "b".repeat(5000),
  encodeURIComponent(junk(rng, 12)),
  "x:y.z-_",
  "%E2%80%AE",
];

/** A value of the wrong type for whatever `v` is (always invalid for the schemas in use). */
function wrongType(rng: Rng, v: unknown): unknown {
  if (typeof v === "string") return pick(rng, [42, true, null, [], {}]);
  if (typeof v === "number") return pick(rng, ["not a number", true, null, [1], {}]);
  if (typeof v === "boolean") return pick(rng, ["yes", 1, null, []]);
  if (Array.isArray(v)) return pick(rng, [{}, "list", 3, true]);
  return pick(rng, [5, "obj", true, [1, 2]]);
}

/** `base` made invalid by one random mutation. `lenient` (import lines) skips the unknown-field mutation. */
function invalid(rng: Rng, base: Record<string, unknown>, required: string[], lenient = false): string {
  const keys = Object.keys(base);
  // Import lines skip the JSON depth check and drop unknown fields, so those mutations are not invalid there.
  const kinds = ["truncate", "root", "wrongType", "missing", "huge", ...(lenient ? [] : ["unknown", "deep"])];
  const k = pick(rng, kinds);
  const o = { ...base };
  switch (k) {
    case "truncate": {
      const s = JSON.stringify(base);
      return s.slice(0, int(rng, s.length - 1));
    }
    case "root":
      return JSON.stringify(pick(rng, [[base], 1, "str", null, true, []]));
    case "wrongType": {
      const f = pick(rng, keys);
      o[f] = wrongType(rng, o[f]);
      return JSON.stringify(o);
    }
    case "missing":
      delete o[pick(rng, required)];
      return JSON.stringify(o);
    case "deep": {
      const n = 40 + int(rng, 2000);
      return `{"content":"x","metadata":{"a":${"[".repeat(n)}${"]".repeat(n)}}}`;
    }
    case "huge":
      return JSON.stringify({ ...o, [pick(rng, required)]: "z".repeat(100_001 + int(rng, 1000)) });
    default:
      return JSON.stringify({ ...o, [`x${junk(rng, 3)}`]: junk(rng, 5) });
  }
}

const STORE = {
  content: "fuzz",
  tags: ["t"],
  importance: 0.5,
  eventTime: 1_700_000_000_000,
  metadata: { a: 1 },
};

function request(rng: Rng): Req {
  const id = pick(rng, IDS(rng));
  const jsonType = pick(rng, [
    "application/json",
    "application/json",
    "application/json",
    "text/plain",
    "",
    "application/x-ndjson",
    "multipart/form-data; boundary=x",
    junk(rng, 8),
  ]);
  const headers: Record<string, string> = {};
  if (jsonType) headers["content-type"] = jsonType;
  if (rng() < 0.15) headers["x-t4dm-namespace"] = pick(rng, ["ok-ns", "../x", "", "a b", "x".repeat(200)]);
  const query = rng() < 0.2
    ? `?${
      pick(rng, ["namespace=a&namespace=b", "k=5", "namespace=..%2F", `${junk(rng, 4)}=1`, "namespace="])
    }`
    : "";
  const r = (method: string, path: string, body?: string): Req => ({
    method,
    path: path + query,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  switch (int(rng, 12)) {
    case 0:
      return r("POST", "/v1/memories", invalid(rng, STORE, ["content"]));
    case 1: {
      const items = [STORE, { content: "b" }];
      const body = rng() < 0.5
        ? invalid(rng, { memories: items, namespace: "n" }, ["memories"])
        : `{"memories":[${JSON.stringify(STORE)},${invalid(rng, STORE, ["content"])}]}`;
      return r("POST", "/v1/memories/batch", body);
    }
    case 2:
      return r(
        pick(rng, ["PATCH", "POST", "PUT"]),
        `/v1/memories/${id}`,
        invalid(rng, { content: "x", importance: 0.4 }, ["content"]),
      );
    case 3:
      return r(
        pick(rng, ["GET", "DELETE", "HEAD", "OPTIONS"]),
        `/v1/memories/${id}${pick(rng, ["", "/history", "/x", "/"])}`,
      );
    case 4:
      return r(
        "POST",
        `/v1/memories/${id}/invalidate`,
        rng() < 0.5 ? invalid(rng, { at: 5 }, ["at"]) : junk(rng, 10),
      );
    case 5:
      return r(
        "POST",
        "/v1/recall",
        invalid(rng, { query: "q", k: 5, kinds: ["episodic"], window: { from: 1 } }, ["query"]),
      );
    case 6:
      return r("POST", "/v1/feedback", invalid(rng, { id: "x", useful: true }, ["id", "useful"]));
    case 7: {
      const lines = Array.from({ length: 1 + int(rng, 5) }, () => invalid(rng, STORE, ["content"], true));
      const out = r("POST", "/v1/import", lines.join(pick(rng, ["\n", "\r\n"])));
      if (rng() < 0.7) out.headers["content-type"] = "application/x-ndjson";
      return out;
    }
    case 8:
      return r(
        pick(rng, ["GET", "POST", "DELETE"]),
        pick(rng, ["/v1/export", "/v1/stats", "/v1/consolidate", "/openapi.json"]),
      );
    case 9:
      return r(pick(rng, ["GET", "POST", "PUT"]), `/${junk(rng, 1 + int(rng, 30)).replace(/[#?]/g, "")}`);
    case 10: {
      const bytes = crypto.getRandomValues(new Uint8Array(int(rng, 300)));
      const out = r("POST", pick(rng, ["/v1/memories", "/v1/recall", "/v1/import"]));
      out.body = bytes;
      return out;
    }
    default:
      return r(
        pick(rng, ["POST", "PATCH"]),
        pick(rng, ["/v1/memories", "/v1/memories/batch", "/v1/recall", "/v1/feedback"]),
        "",
      );
  }
}

async function fire(
  send: (r: Req) => Promise<Response>,
  rng: Rng,
  n: number,
): Promise<{ bad: string[]; statuses: Record<number, number> }> {
  const bad: string[] = [];
  const statuses: Record<number, number> = {};
  for (let i = 0; i < n; i++) {
    const q = request(rng);
    let res: Response;
    try {
      res = await send(q);
    } catch (e) {
      // Only a URL the client itself refuses may fail here.
      if (!(e instanceof TypeError)) bad.push(`#${i} ${q.method} ${q.path.slice(0, 60)} threw ${e}`);
      continue;
    }
    const text = await res.text();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    const problem = res.headers.get("content-type") === "application/problem+json";
    const stored = res.status === 201 || (q.path.startsWith("/v1/import") && /"imported":[1-9]/.test(text));
    if (
      (res.status >= 500 && res.status !== 501) || stored ||
      (res.status >= 400 && (!problem || /at \w+ \(|\.ts:\d+/.test(text)))
    ) {
      bad.push(`#${i} ${q.method} ${q.path.slice(0, 60)} -> ${res.status} ${text.slice(0, 160)}`);
    }
  }
  return { bad, statuses };
}

function toRequest(base: string, q: Req): Request {
  return new Request(`${base}${q.path}`, {
    method: q.method,
    headers: q.headers,
    ...(q.body === undefined || ["GET", "HEAD"].includes(q.method) ? {} : { body: q.body }),
  });
}

Deno.test("3000 seeded malformed requests in process: never a 5xx, nothing stored, still healthy", async () => {
  await withStore(async (mem) => {
    const h = createHandler({ mem, rateLimit: false, log: () => {} });
    const { bad, statuses } = await fire((q) => h(toRequest("http://t4dm.test", q)), mulberry32(7), 3000);
    const stats = await mem.stats();
    const total = Object.values(stats.namespaces).reduce((a, n) => a + n.memories, 0);
    const health = await call(h, "GET", "/health");
    const ok = await call(h, "POST", "/v1/memories", { json: { content: "still works" } });
    if (bad.length || total !== 0 || health.status !== 200 || ok.status !== 201) {
      throw new Error(
        JSON.stringify({ bad: bad.slice(0, 20), badCount: bad.length, total, statuses }, null, 1),
      );
    }
  });
});

Deno.test("500 seeded malformed requests with random keys against a keyed handler: never a 5xx, nothing stored", async () => {
  const file = `${Deno.makeTempDirSync()}/keys.json`;
  const { token } = await createKey(file, { namespaces: ["ok-ns"], scopes: ["read", "write"] });
  const keys = await KeyStore.open(file);
  const rng = mulberry32(11);
  await withStore(async (mem) => {
    const h = createHandler({ mem, keys, rateLimit: false, log: () => {} });
    const auths = [token, token.slice(0, -1), `${token} extra`, "t4dm_", junk(rng, 60), ""];
    const { bad } = await fire(
      (q) => {
        const a = pick(rng, auths);
        return h(
          toRequest("http://t4dm.test", {
            ...q,
            headers: {
              ...q.headers,
              authorization: `${pick(rng, ["Bearer ", "bearer ", "Basic ", ""])}${a}`,
            },
          }),
        );
      },
      rng,
      500,
    );
    const total = Object.values((await mem.stats()).namespaces).reduce((a, n) => a + n.memories, 0);
    if (bad.length || total !== 0) throw new Error(JSON.stringify({ bad: bad.slice(0, 20), total }, null, 1));
  });
});

Deno.test("300 seeded malformed requests over a real socket: never a 5xx, still ready", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "t4dm-fuzz-" });
  const server = await serve({
    dataDir,
    port: 0,
    embedder,
    onListen: () => {},
    handleSignals: false,
    rateLimit: false,
    log: () => {},
  });
  try {
    const { bad } = await fire((q) => fetch(toRequest(server.url, q)), mulberry32(13), 300);
    const ready = await fetch(`${server.url}/ready`);
    await ready.body?.cancel();
    if (bad.length || ready.status !== 200) {
      throw new Error(JSON.stringify({ bad: bad.slice(0, 20), ready: ready.status }, null, 1));
    }
  } finally {
    await server.shutdown();
    Deno.removeSync(dataDir, { recursive: true });
  }
});
