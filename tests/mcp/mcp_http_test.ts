/**
 * End to end over Streamable HTTP: `serveMcpHttp` on a free loopback port with the real embedder, and the
 * SDK's own client through `StreamableHTTPClientTransport`; then concurrent writes from several clients.
 *
 * @module
 */
import { CachedEmbedder } from "../../cortex/cached_embedder.ts";
import { UseEmbedder } from "../../cortex/use_embedder.ts";
import { serveMcpHttp } from "../../src/mcp/mod.ts";
import { Client, StreamableHTTPClientTransport } from "./_client.ts";
import { check, ok, runSharedChecks } from "./_checks.ts";

const embedder = new CachedEmbedder(await UseEmbedder.load());

async function connect(url: string, name: string): Promise<Client> {
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

Deno.test("serveMcpHttp() serves every tool and the context resource to the SDK client on loopback", async (t) => {
  const dir = Deno.makeTempDirSync({ prefix: "t4dm-mcp-http-" });
  const stop = new AbortController();
  const logs: string[] = [];
  const srv = await serveMcpHttp({
    dataDir: dir,
    port: 0,
    signal: stop.signal,
    embedder,
    log: (line) => logs.push(line),
  });
  try {
    check(srv.hostname === "127.0.0.1" && srv.url === `http://127.0.0.1:${srv.port}/mcp`, "address", srv);
    const client = await connect(srv.url, "t4dm-http-test");
    try {
      await runSharedChecks(t, client);
    } finally {
      await client.close();
    }

    await t.step("concurrent store_memory calls from several clients lose no write", async () => {
      const clients = await Promise.all([0, 1, 2, 3].map((i) => connect(srv.url, `writer-${i}`)));
      try {
        const ns = "concurrency";
        const stored = await Promise.all(
          Array.from({ length: 24 }, (_, i) =>
            ok(clients[i % clients.length]!, "store_memory", {
              namespace: ns,
              content: `Concurrent note number ${i} about topic ${i * 7}`,
              tags: [`n${i}`],
            })),
        );
        const ids = stored.map((s) => (s.memory as { id: string }).id);
        check(new Set(ids).size === 24, "ids not unique", ids);
        const stats = await ok(clients[0]!, "memory_stats", {});
        const count = (stats.namespaces as Record<string, { memories: number }>)[ns]?.memories;
        check(count === 24, `expected 24 memories, got ${count}`, stats);
        const got = await Promise.all(ids.map((id) => ok(clients[1]!, "get_memory", { namespace: ns, id })));
        check(
          got.every((g, i) => (g.memory as { id: string }).id === ids[i]),
          "get after concurrent store",
          got,
        );
        const recalled = await ok(clients[2]!, "recall_memories", {
          namespace: ns,
          query: "note",
          tags: ["n17"],
        });
        const r = recalled.results as { memory: { content: string } }[];
        check(
          r.length === 1 && r[0]!.memory.content.includes("number 17"),
          "recall after concurrent store",
          r,
        );
      } finally {
        await Promise.all(clients.map((c) => c.close()));
      }
    });

    await t.step("GET, foreign origins and wrong paths are refused", async () => {
      const get = await fetch(srv.url);
      await get.body?.cancel();
      check(get.status === 405 && get.headers.get("allow") === "POST", "GET", get.status);
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
      const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
      const evil = await fetch(srv.url, {
        method: "POST",
        body,
        headers: { ...headers, origin: "https://evil.example" },
      });
      await evil.body?.cancel();
      check(evil.status === 403, "foreign origin", evil.status);
      const local = await fetch(srv.url, {
        method: "POST",
        body,
        headers: { ...headers, origin: "http://localhost:3000" },
      });
      const listed = await local.json();
      check(local.status === 200 && listed.result.tools.length === 9, "loopback origin", listed);
      const wrong = await fetch(srv.url.replace("/mcp", "/other"), { method: "POST", body, headers });
      await wrong.body?.cancel();
      check(wrong.status === 404, "wrong path", wrong.status);
    });
  } finally {
    stop.abort();
    await srv.finished;
  }
  await t.step("aborting stops the server and closes the store; logs went to the log function", () => {
    check(logs.some((l) => l.includes("serving")) && logs.some((l) => l.includes("stopped")), "logs", logs);
  });
  Deno.removeSync(dir, { recursive: true });
});
