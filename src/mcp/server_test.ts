import type { Embedder } from "../../cortex/embedder.ts";
import { T4DM } from "../memory/t4dm.ts";
import { registerTools } from "./_register_tools.ts";
import { McpServer } from "./_sdk.ts";
import { defineTool } from "./_tool.ts";
import { createMcpServer } from "./server.ts";
import { z } from "zod";
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/inMemory"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** Every text maps to the same vector: enough for tools that do not rank. */
const constant: Embedder = {
  dim: 4,
  id: "constant-test",
  embed: (texts) => Promise.resolve(texts.map(() => Float32Array.of(1, 0, 0, 0))),
};

async function withClient(
  fn: (client: Client, mem: T4DM) => Promise<void>,
  build: (mem: T4DM) => McpServer = (mem) => createMcpServer(mem, { log: () => {} }),
): Promise<void> {
  const path = Deno.makeTempDirSync({ prefix: "t4dm-mcp-server-" });
  const mem = await T4DM.open({ path, embedder: constant });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await build(mem).connect(a);
  const client = new Client({ name: "server-test", version: "1" });
  await client.connect(b);
  try {
    await fn(client, mem);
  } finally {
    await client.close();
    await mem.close();
    Deno.removeSync(path, { recursive: true });
  }
}

function text(r: CallToolResult): string {
  return r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return await client.callTool({ name, arguments: args }) as CallToolResult;
}

Deno.test("createMcpServer() answers an unknown tool with a protocol error naming it", async () => {
  await withClient(async (client) => {
    const err = await client.callTool({ name: "no_such_tool", arguments: {} }).then(
      () => undefined,
      (e) => e,
    );
    if (
      !(err instanceof Error) || !err.message.includes('"no_such_tool"') || !err.message.includes("-32602")
    ) {
      throw new Error(`expected a -32602 protocol error, got ${String(err)}`);
    }
  });
});

Deno.test("createMcpServer() turns calls on a closed store into UNAVAILABLE tool errors and keeps serving", async () => {
  await withClient(async (client, mem) => {
    await mem.close();
    const r = await callTool(client, "store_memory", { content: "too late" });
    if (r.isError !== true || !text(r).startsWith("UNAVAILABLE: ")) throw new Error(JSON.stringify(r));
    const { tools } = await client.listTools();
    if (tools.length !== 9) throw new Error(`server stopped serving: ${JSON.stringify(tools)}`);
  });
});

Deno.test("give_feedback moves importance by one step and clamps it to 0..1", async (t) => {
  await withClient(async (client) => {
    const stored = await callTool(client, "store_memory", { content: "x", importance: 0.95 });
    const id = (stored.structuredContent as { memory: { id: string } }).memory.id;
    await t.step("useful clamps at 1", async () => {
      const r = await callTool(client, "give_feedback", { id, useful: true });
      const d = r.structuredContent as { importance: number; previousImportance: number };
      if (d.importance !== 1 || d.previousImportance !== 0.95) throw new Error(JSON.stringify(r));
    });
    await t.step("not useful lowers by 0.1", async () => {
      const r = await callTool(client, "give_feedback", { id, useful: false });
      if ((r.structuredContent as { importance: number }).importance !== 0.9) {
        throw new Error(JSON.stringify(r));
      }
    });
  });
});

Deno.test("registerTools() reports output that breaks the tool's schema as an INTERNAL tool error", async () => {
  const broken = defineTool({
    name: "broken_tool",
    title: "Broken Tool",
    description: "Returns data that does not match its own output schema.",
    input: z.strictObject({}),
    output: z.object({ n: z.number().describe("A number") }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    run: () => Promise.resolve({ text: "bad", data: { n: "not a number" as unknown as number } }),
  });
  const logs: string[] = [];
  await withClient(async (client) => {
    await client.listTools();
    const r = await callTool(client, "broken_tool", {});
    const msg = text(r);
    if (r.isError !== true || !msg.startsWith("INTERNAL: ") || !msg.includes('"n"') || logs.length !== 1) {
      throw new Error(JSON.stringify({ r, logs }));
    }
  }, (mem) => {
    const server = new McpServer({ name: "t", version: "1" });
    registerTools(server.server, { mem, tools: [broken], log: (l) => logs.push(l) });
    return server;
  });
});
