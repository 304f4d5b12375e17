import { T4DM } from "../../src/memory/t4dm.ts";
import { createKey } from "../../src/http/keys.ts";
import { serve, type T4DMServer } from "../../src/http/serve.ts";
import { embedder } from "../../src/http/_testing.ts";
import { ForbiddenError, T4DMClient, UnauthorizedError } from "../../src/sdk/mod.ts";

function expect(cond: boolean, state: unknown): void {
  if (!cond) throw new Error(JSON.stringify(state, null, 1));
}

async function* slowLines() {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 5));
    yield JSON.stringify({ content: `Streamed line ${i}` });
  }
}

async function start(dataDir: string, o: Partial<Parameters<typeof serve>[0]> = {}): Promise<T4DMServer> {
  return await serve({ dataDir, port: 0, embedder, onListen: () => {}, handleSignals: false, ...o });
}

Deno.test("the real daemon on a loopback port serves the SDK and raw fetch, and its data survives a restart", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "t4dm-e2e-" });
  const server = await start(dataDir);
  let ids: string[] = [];
  try {
    expect(server.hostname === "127.0.0.1" && server.port > 0, server);
    const t4dm = new T4DMClient({ baseUrl: server.url, namespace: "e2e" });
    expect(await t4dm.ready(), "not ready");
    const stored = await Promise.all(
      Array.from(
        { length: 40 },
        (_, i) =>
          t4dm.store({
            content: i === 7 ? "The blue kettle whistles loudly" : `Socket fact number ${i}`,
            tags: ["e2e"],
          }),
      ),
    );
    ids = stored.map((m) => m.id);
    expect(new Set(ids).size === 40, ids);
    const [top] = await t4dm.recall({ query: "whistling kettle", k: 1 });
    expect(top?.memory.id === ids[7], top);
    const im = await t4dm.importJsonl(slowLines(), { namespace: "e2e-import" });
    expect(im.imported === 5 && im.failedCount === 0, im);
    let exported = 0;
    for await (const line of t4dm.exportJsonl()) exported += JSON.parse(line).namespace === "e2e" ? 1 : 0;
    expect(exported === 40, exported);
    const raw = await fetch(`${server.url}/v1/memories/${ids[0]}?namespace=e2e`);
    const body = await raw.json();
    expect(raw.status === 200 && body.id === ids[0], body);
    const bad = await fetch(`${server.url}/v1/recall`, {
      method: "POST",
      body: "{",
      headers: { "content-type": "application/json" },
    });
    const problem = await bad.json();
    expect(
      bad.status === 400 && bad.headers.get("content-type") === "application/problem+json" &&
        !("stack" in problem),
      problem,
    );
    const nf = await fetch(`${server.url}/nope`);
    expect(nf.status === 404 && (await nf.json()).code === "NOT_FOUND", nf.status);
  } finally {
    await server.shutdown();
    await server.finished;
  }
  const reopened = await T4DM.open({ path: dataDir, embedder });
  try {
    const got = await Promise.all(ids.map((id) => reopened.get(id, { namespace: "e2e" })));
    expect(got.every((m) => m?.tags[0] === "e2e"), got.filter((m) => !m).length);
  } finally {
    await reopened.close();
    Deno.removeSync(dataDir, { recursive: true });
  }
});

Deno.test("with a keys file the daemon requires keys over the network and scopes them", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "t4dm-e2e-" });
  const writer = await createKey(`${dataDir}/keys.json`, { namespaces: ["team"], scopes: ["write", "read"] });
  const server = await start(dataDir);
  try {
    const health = await fetch(`${server.url}/health`);
    expect(health.status === 200 && (await health.json()).status === "ok", "health");
    const anon = new T4DMClient({ baseUrl: server.url, retries: 0 });
    try {
      await anon.stats();
      throw new Error("anonymous stats allowed");
    } catch (e) {
      if (!(e instanceof UnauthorizedError)) throw e;
    }
    const t4dm = new T4DMClient({ baseUrl: server.url, apiKey: writer.token });
    const m = await t4dm.store({ content: "Only the team may read this" });
    expect(m.namespace === "team", m);
    try {
      await t4dm.store({ content: "x", namespace: "other" });
      throw new Error("wrote outside the key's namespace");
    } catch (e) {
      if (!(e instanceof ForbiddenError)) throw e;
    }
  } finally {
    await server.shutdown();
    Deno.removeSync(dataDir, { recursive: true });
  }
});

Deno.test("serve() refuses a non-loopback hostname without keys, before binding or opening the store", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "t4dm-e2e-" });
  for (const hostname of ["0.0.0.0", "::", "192.0.2.1"]) {
    try {
      await start(dataDir, { hostname });
      throw new Error(`served on ${hostname}`);
    } catch (e) {
      const msg = (e as Error).message;
      if (!msg.includes(`Cannot serve on "${hostname}"`) || !msg.includes("t4dm keys add")) throw e;
    }
  }
  expect([...Deno.readDirSync(dataDir)].length === 0, "opened the store");
  Deno.removeSync(dataDir, { recursive: true });
});

Deno.test("ids '.' and '..' are refused at store time; other dotted ids round-trip through the SDK", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "t4dm-e2e-" });
  const server = await start(dataDir);
  try {
    const t4dm = new T4DMClient({ baseUrl: server.url, retries: 0 });
    for (const id of [".", ".."]) {
      const err = await t4dm.store({ id, content: "unreachable by URL" }).then(() => undefined, (e) => e);
      expect(err instanceof Error && /not '\.' or '\.\.'/.test(err.message), { id, err: String(err) });
    }
    // A path segment "..." or ".a" is no dot segment: the SDK reaches it by URL like any other id.
    for (const id of ["...", ".a", "a..b", "v1.2"]) {
      await t4dm.store({ id, content: `dotted id ${id}` });
      const got = await t4dm.get(id);
      expect(got?.content === `dotted id ${id}`, { id, got });
      const history = await t4dm.history(id);
      expect(history.length === 1, { id, history });
    }
    const stats = await t4dm.stats();
    expect(stats.namespaces["default"]?.memories === 4, stats);
  } finally {
    await server.shutdown();
    Deno.removeSync(dataDir, { recursive: true });
  }
});
