/**
 * API keys on the MCP HTTP endpoint, over a real loopback socket with the SDK's own client: 401 without a
 * valid key, scopes per tool, namespaces per key (randomised), the key's default namespace, and the
 * bind rules with and without keys.
 *
 * @module
 */
import type { Embedder } from "../../cortex/embedder.ts";
import { mulberry32 } from "../../engine/util/rng.ts";
import { createKey, revokeKey, type Scope } from "../http/keys.ts";
import { T4DM } from "../memory/t4dm.ts";
import { type McpHttpServer, serveMcpHttp } from "./http.ts";
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** Every text maps to the same vector; recall then ranks by words, enough to find a stored memory. */
const constant: Embedder = {
  dim: 4,
  id: "constant-test",
  embed: (texts) => Promise.resolve(texts.map(() => Float32Array.of(1, 0, 0, 0))),
};

type Json = Record<string, unknown>;

function check(ok: boolean, what: string, state: unknown): void {
  if (!ok) throw new Error(`${what}\n${JSON.stringify(state, null, 2)}`);
}

/** A key to mint before the server starts (the server re-reads the keys file at most once a second). */
type KeySpec = { namespaces: string[]; scopes: Scope[] };

/** A temp data dir whose keys file holds `keys`, a server on it, and the minted keys in order. */
async function withServer(
  keys: KeySpec[],
  fn: (s: { srv: McpHttpServer; keysFile: string; minted: { token: string; id: string }[] }) => Promise<void>,
  rateLimit?: { perSecond: number; burst: number },
): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "t4dm-mcp-auth-" });
  const keysFile = `${dir}/keys.json`;
  const stop = new AbortController();
  const minted = [];
  for (const k of keys) {
    const { token, key } = await createKey(keysFile, k);
    minted.push({ token, id: key.id });
  }
  const srv = await serveMcpHttp({
    dataDir: dir,
    port: 0,
    embedder: constant,
    log: () => {},
    signal: stop.signal,
    ...(rateLimit ? { rateLimit } : {}),
  });
  try {
    await fn({ srv, keysFile, minted });
  } finally {
    stop.abort();
    await srv.finished;
    Deno.removeSync(dir, { recursive: true });
  }
}

async function connect(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: "auth-test", version: "1" });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

async function call(client: Client, name: string, args: Json): Promise<{ r: CallToolResult; text: string }> {
  const r = await client.callTool({ name, arguments: args }) as CallToolResult;
  return { r, text: r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n") };
}

async function ok(client: Client, name: string, args: Json): Promise<Json> {
  const { r } = await call(client, name, args);
  check(r.isError !== true, `${name} failed`, r);
  return r.structuredContent as Json;
}

/** Calls a tool that must be refused with FORBIDDEN, the message containing `needle`. */
async function refused(client: Client, name: string, args: Json, needle: string): Promise<void> {
  const { r, text } = await call(client, name, args);
  check(
    r.isError === true && text.startsWith("FORBIDDEN: ") && text.includes(needle),
    `${name} not refused`,
    {
      args,
      needle,
      r,
    },
  );
}

/** Raw JSON-RPC POST, to see statuses and headers the SDK client hides. */
async function rawPost(url: string, headers: Record<string, string>, body: Json): Promise<Response> {
  return await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, ...body }),
  });
}

/** Memory counts per namespace, read through the server with a key for every namespace. */
async function counts(client: Client): Promise<Record<string, number>> {
  const s = await ok(client, "memory_stats", {});
  const ns = s.namespaces as Record<string, { memories: number }>;
  return Object.fromEntries(Object.entries(ns).map(([k, v]) => [k, v.memories]));
}

const ADMIN: KeySpec = { namespaces: ["*"], scopes: ["admin"] };

Deno.test("serveMcpHttp() with keys answers a missing, wrong or revoked key with 401 and runs no tool", async () => {
  const keys = [ADMIN, { namespaces: ["victim"], scopes: ["write"] }] satisfies KeySpec[];
  await withServer(keys, async ({ srv, keysFile, minted: [admin, writer] }) => {
    const store = {
      method: "tools/call",
      params: { name: "store_memory", arguments: { namespace: "victim", content: "planted" } },
    };
    const wrong = writer!.token.slice(0, -4) + (writer!.token.endsWith("AAAA") ? "BBBB" : "AAAA");
    const attempts: [string, Record<string, string>][] = [
      ["no key", {}],
      ["no key, foreign Host", { host: "evil.example" }],
      ["not a bearer header", { authorization: `Basic ${writer!.token}` }],
      ["wrong secret", { authorization: `Bearer ${wrong}` }],
      ["unknown id", { authorization: `Bearer t4dm_000000000000_${"A".repeat(43)}` }],
    ];
    const seen = [];
    for (const [name, headers] of attempts) {
      const res = await rawPost(srv.url, headers, store);
      const body = await res.json();
      seen.push({ name, status: res.status, auth: res.headers.get("www-authenticate"), body });
    }
    check(
      seen.every((s) =>
        s.status === 401 && s.auth?.startsWith("Bearer") && s.body.jsonrpc === "2.0" &&
        String(s.body.error?.message).startsWith("UNAUTHORIZED: ")
      ),
      "expected 401 JSON-RPC errors with WWW-Authenticate: Bearer",
      seen,
    );
    // With keys the key is the protection, even on loopback (as in the daemon): a foreign Origin with a
    // valid key is served.
    const keyed = await rawPost(srv.url, {
      origin: "https://evil.example",
      authorization: `Bearer ${admin!.token}`,
    }, {
      method: "tools/list",
    });
    const listed = await keyed.json();
    check(
      keyed.status === 200 && listed.result?.tools?.length === 9,
      "a keyed foreign origin was refused",
      listed,
    );
    const noKey = await connect(srv.url).then(() => "connected", (e) => String(e));
    check(noKey.includes("UNAUTHORIZED"), "the SDK client connected without a key", noKey);

    await revokeKey(keysFile, writer!.id);
    await new Promise((r) => setTimeout(r, 1100)); // the key store re-reads the file at most once a second
    const revoked = await rawPost(srv.url, { authorization: `Bearer ${writer!.token}` }, store);
    await revoked.body?.cancel();
    check(revoked.status === 401, "a revoked key still works", revoked.status);

    const client = await connect(srv.url, admin!.token);
    try {
      const c = await counts(client);
      check(Object.keys(c).length === 0, "a refused request stored something", c);
    } finally {
      await client.close();
    }
  });
});

Deno.test("serveMcpHttp() lets a read key read but not write, and a write key write but not read", async () => {
  const keys: KeySpec[] = [
    { namespaces: ["a"], scopes: ["write"] },
    { namespaces: ["a"], scopes: ["read"] },
    ADMIN,
  ];
  await withServer(keys, async ({ srv, minted: [writer, reader, admin] }) => {
    const w = await connect(srv.url, writer!.token);
    const r = await connect(srv.url, reader!.token);
    const adm = await connect(srv.url, admin!.token);
    try {
      const stored = await ok(w, "store_memory", { content: "Ada prefers green tea", importance: 0.5 });
      const id = (stored.memory as { id: string }).id;

      const recalled = await ok(r, "recall_memories", { query: "green tea" });
      const results = recalled.results as { memory: { id: string } }[];
      check(results.some((x) => x.memory.id === id), "the read key cannot recall", recalled);
      await ok(r, "get_memory", { id });
      await ok(r, "memory_history", { id });
      const ctx = await r.readResource({ uri: "memory://context" });
      check(JSON.stringify(ctx).includes("green tea"), "the read key cannot read the context", ctx);

      // Recall counts accesses, so the state refused writes must leave alone is taken after the reads.
      const before = await ok(adm, "get_memory", { id, namespace: "a" });
      const writes: [string, Json][] = [
        ["store_memory", { content: "planted by a reader" }],
        ["update_memory", { id, content: "rewritten by a reader" }],
        ["invalidate_memory", { id }],
        ["forget_memory", { id }],
        ["give_feedback", { id, useful: true }],
      ];
      for (const [name, args] of writes) await refused(r, name, args, 'lacks the "write" scope');
      for (const [name, args] of [["recall_memories", { query: "tea" }], ["get_memory", { id }]] as const) {
        await refused(w, name, args, 'lacks the "read" scope');
      }
      const ctxErr = await w.readResource({ uri: "memory://context" }).then(() => "read", (e) => String(e));
      check(ctxErr.includes('"read" scope'), "a write-only key read the context", ctxErr);

      const after = await ok(adm, "get_memory", { id, namespace: "a" });
      const c = await counts(adm);
      check(
        JSON.stringify(after) === JSON.stringify(before) && JSON.stringify(c) === '{"a":1}',
        "a refused call changed the store",
        { before, after, c },
      );
    } finally {
      await Promise.all([w.close(), r.close(), adm.close()]);
    }
  });
});

Deno.test("serveMcpHttp() keeps every key inside its namespaces (seeded random tools and targets)", async () => {
  const names = ["alpha", "beta", "gamma", "delta"];
  const keys = [ADMIN, ...names.map((ns): KeySpec => ({ namespaces: [ns], scopes: ["read", "write"] }))];
  await withServer(keys, async ({ srv, minted: [admin, ...perNamespace] }) => {
    const adm = await connect(srv.url, admin!.token);
    const clients = new Map<string, Client>();
    const ids = new Map<string, string>();
    try {
      for (const [i, ns] of names.entries()) {
        clients.set(ns, await connect(srv.url, perNamespace[i]!.token));
        const m = await ok(adm, "store_memory", { namespace: ns, content: `secret of ${ns} about tea` });
        ids.set(ns, (m.memory as { id: string }).id);
      }
      const snapshot = async () =>
        JSON.stringify(
          await Promise.all(names.map((ns) => ok(adm, "get_memory", { namespace: ns, id: ids.get(ns)! }))),
        );
      const before = await snapshot();
      const tools: [string, (id: string) => Json][] = [
        ["store_memory", () => ({ content: "planted across namespaces" })],
        ["recall_memories", () => ({ query: "secret tea" })],
        ["get_memory", (id) => ({ id })],
        ["memory_history", (id) => ({ id })],
        ["update_memory", (id) => ({ id, content: "overwritten across namespaces" })],
        ["invalidate_memory", (id) => ({ id })],
        ["give_feedback", (id) => ({ id, useful: false })],
        ["forget_memory", (id) => ({ id })],
      ];
      const rng = mulberry32(20240611);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
      const tried: string[] = [];
      for (let i = 0; i < 40; i++) {
        const own = pick(names);
        const target = pick(names.filter((n) => n !== own));
        const [tool, args] = pick(tools);
        tried.push(`${own}->${target}:${tool}`);
        // The id is real in the target namespace, so a missing check would succeed and be seen.
        await refused(
          clients.get(own)!,
          tool,
          { ...args(ids.get(target)!), namespace: target },
          `"${target}"`,
        );
      }
      const toolsTried = new Set(tried.map((x) => x.split(":")[1]));
      check(toolsTried.size === tools.length, "the seed leaves a tool untried; pick another seed", tried);
      const own = "beta";
      const b = clients.get(own)!;
      const ctxErr = await b.readResource({ uri: "memory://context/alpha" }).then(
        () => "read",
        (e) => String(e),
      );
      check(
        ctxErr.includes("FORBIDDEN") && ctxErr.includes('"alpha"'),
        "context of another namespace",
        ctxErr,
      );
      const listed = (await b.listResources()).resources.map((r) => r.uri).filter((u) =>
        u.includes("context/")
      );
      check(
        JSON.stringify(listed) === '["memory://context/beta"]',
        "the listing shows other namespaces",
        listed,
      );
      const stats = await ok(b, "memory_stats", {});
      check(
        JSON.stringify(Object.keys(stats.namespaces as Json)) === '["beta"]' &&
          Object.keys(stats.engine as Json).length === 0,
        "memory_stats shows other namespaces or engine figures to a non-admin key",
        stats,
      );
      const c = await counts(adm);
      check(
        (await snapshot()) === before && names.every((ns) => c[ns] === 1) && Object.keys(c).length === 4,
        "a cross-namespace call changed the store",
        { tried, c },
      );
    } finally {
      await Promise.all([adm.close(), ...[...clients.values()].map((c) => c.close())]);
    }
  });
});

Deno.test("serveMcpHttp() puts a call naming no namespace in the key's first namespace", async () => {
  const keys: KeySpec[] = [{ namespaces: ["team-a", "team-b"], scopes: ["read", "write"] }, ADMIN];
  await withServer(keys, async ({ srv, minted: [key, admin] }) => {
    const client = await connect(srv.url, key!.token);
    const adm = await connect(srv.url, admin!.token);
    try {
      const stored = await ok(client, "store_memory", { content: "The standup moved to ten" });
      const memory = stored.memory as { id: string; namespace: string };
      check(memory.namespace === "team-a", "stored outside the key's default namespace", memory);
      const recalled = await ok(client, "recall_memories", { query: "standup" });
      const results = recalled.results as { memory: { id: string } }[];
      check(results[0]?.memory.id === memory.id, "recall did not find it", recalled);
      await ok(client, "store_memory", { content: "Other team note", namespace: "team-b" });
      const ctx = await client.readResource({ uri: "memory://context" });
      const json = JSON.parse(String((ctx.contents[1] as { text: string }).text)) as Json;
      check(json.namespace === "team-a" && json.total === 1, "the context is not the key's namespace", json);
      const c = await counts(adm);
      check(JSON.stringify(c) === '{"team-a":1,"team-b":1}', "wrong namespaces", c);
    } finally {
      await Promise.all([client.close(), adm.close()]);
    }
  });
});

Deno.test("serveMcpHttp() refuses to bind beyond loopback without a key, and serves loopback open", async (t) => {
  for (const hostname of ["0.0.0.0", "::", "example.invalid"]) {
    await t.step(`"${hostname}" is refused before the store opens`, async () => {
      const dir = Deno.makeTempDirSync({ prefix: "t4dm-mcp-bind-" });
      try {
        const stop = new AbortController();
        const options = {
          dataDir: dir,
          hostname,
          port: 0,
          embedder: constant,
          log: () => {},
          signal: stop.signal,
        };
        const err = await serveMcpHttp(options).then(async (srv) => {
          stop.abort();
          await srv.finished;
          return "served";
        }, (e) => e);
        check(
          err instanceof Error && (err as { code?: string }).code === "VALIDATION" &&
            err.message.includes(`"${hostname}"`) && err.message.includes("t4dm keys add"),
          "expected a VALIDATION error naming the host and the way out",
          String(err),
        );
        const mem = await T4DM.open({ path: dir, embedder: constant }); // the store was not left locked
        await mem.close();
      } finally {
        Deno.removeSync(dir, { recursive: true });
      }
    });
  }
  await t.step("loopback without keys needs no key", async () => {
    await withServer([], async ({ srv }) => {
      const client = await connect(srv.url);
      try {
        await ok(client, "store_memory", { content: "open on loopback" });
        const c = await counts(client);
        check(JSON.stringify(c) === '{"default":1}', "open loopback store", c);
      } finally {
        await client.close();
      }
    });
  });
});

Deno.test("serveMcpHttp() with a key binds 0.0.0.0, skips the Host check, and locks up once keys are revoked", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "t4dm-mcp-wide-" });
  const keysFile = `${dir}/custom-keys.json`;
  const { token, key } = await createKey(keysFile, ADMIN);
  const stop = new AbortController();
  const srv = await serveMcpHttp({
    dataDir: dir,
    keysFile,
    hostname: "0.0.0.0",
    port: 0,
    embedder: constant,
    log: () => {},
    signal: stop.signal,
  });
  const url = `http://127.0.0.1:${srv.port}/mcp`;
  try {
    const list = { method: "tools/list" };
    const foreign = await rawPost(
      url,
      { origin: "https://evil.example", authorization: `Bearer ${token}` },
      list,
    );
    const body = await foreign.json();
    check(foreign.status === 200 && body.result?.tools?.length === 9, "a keyed foreign origin", body);
    const anon = await rawPost(url, { origin: "https://evil.example" }, list);
    await anon.body?.cancel();
    check(anon.status === 401, "an anonymous foreign origin", anon.status);
    await revokeKey(keysFile, key.id);
    await new Promise((r) => setTimeout(r, 1100));
    const locked = await rawPost(url, {}, list);
    const lockedBody = await locked.json();
    check(
      locked.status === 401 && String(lockedBody.error?.message).includes("no active API keys"),
      "a wide server without keys ran open",
      lockedBody,
    );
  } finally {
    stop.abort();
    await srv.finished;
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("serveMcpHttp() rate-limits per key like the daemon: 429 with Retry-After, other keys unaffected", async () => {
  await withServer([ADMIN, ADMIN], async ({ srv, minted }) => {
    const list = (token: string) =>
      rawPost(srv.url, { authorization: `Bearer ${token}` }, { method: "tools/list", params: {} }).then(
        async (r) =>
          `${r.status} ${r.headers.get("retry-after") ?? "-"} ${(await r.text()).includes("RATE_LIMITED")}`,
      );
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await list(minted[0]!.token));
    check(
      first.slice(0, 2).every((x) => x.startsWith("200")) && first.slice(2).every((x) => x === "429 1 true"),
      "a burst of 2 at 1/s did not give 200, 200, 429, 429 with Retry-After 1",
      first,
    );
    const other = await list(minted[1]!.token);
    check(other.startsWith("200"), "another key was limited too", other);
  }, { perSecond: 1, burst: 2 });
});
