import type { Embedder } from "../../cortex/embedder.ts";
import { T4DM } from "../memory/t4dm.ts";
import { createMcpHttpHandler } from "./http.ts";

const constant: Embedder = {
  dim: 4,
  id: "constant-test",
  embed: (texts) => Promise.resolve(texts.map(() => Float32Array.of(1, 0, 0, 0))),
};

async function withHandler(
  fn: (handler: (req: Request) => Promise<Response>) => Promise<void>,
): Promise<void> {
  const path = Deno.makeTempDirSync({ prefix: "t4dm-mcp-http-unit-" });
  const mem = await T4DM.open({ path, embedder: constant });
  try {
    await fn(createMcpHttpHandler(mem, { log: () => {} }));
  } finally {
    await mem.close();
    Deno.removeSync(path, { recursive: true });
  }
}

const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

function post(
  body: unknown,
  headers: Record<string, string> = {},
  url = "http://127.0.0.1:7821/mcp",
): Request {
  return new Request(url, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { ...HEADERS, ...headers },
  });
}

Deno.test("createMcpHttpHandler() refuses foreign hosts, other methods and other paths", async (t) => {
  await withHandler(async (handler) => {
    const cases: [string, Request, number][] = [
      ["foreign Host", post({}, { host: "evil.example:7821" }), 403],
      ["foreign Origin", post({}, { origin: "http://evil.example" }), 403],
      ["GET", new Request("http://127.0.0.1:7821/mcp"), 405],
      ["DELETE", new Request("http://127.0.0.1:7821/mcp", { method: "DELETE" }), 405],
      ["other path", post({}, {}, "http://127.0.0.1:7821/other"), 404],
    ];
    for (const [name, req, status] of cases) {
      await t.step(name, async () => {
        const res = await handler(req);
        const body = await res.text();
        if (res.status !== status) throw new Error(`${name}: ${res.status} ${body}`);
      });
    }
  });
});

Deno.test("createMcpHttpHandler() answers stateless JSON-RPC posts without sockets", async () => {
  await withHandler(async (handler) => {
    const call = async (id: number, method: string, params: unknown) => {
      const res = await handler(post({ jsonrpc: "2.0", id, method, params }, { host: "localhost:7821" }));
      if (res.status !== 200 || res.headers.has("mcp-session-id")) {
        throw new Error(`${res.status} ${await res.text()}`);
      }
      return await res.json();
    };
    const init = await call(1, "initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    });
    if (init.result?.serverInfo?.name !== "t4dm") throw new Error(JSON.stringify(init));
    const stored = await call(2, "tools/call", { name: "store_memory", arguments: { content: "raw call" } });
    const id = stored.result?.structuredContent?.memory?.id;
    const got = await call(3, "tools/call", { name: "get_memory", arguments: { id } });
    if (got.result?.structuredContent?.memory?.content !== "raw call") throw new Error(JSON.stringify(got));
  });
});
