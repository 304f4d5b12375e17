/**
 * `t4dm mcp` as an MCP client starts it: the real CLI (`deno run main.ts mcp --data-dir <tmp>`) is the
 * stdio server, and the MCP SDK's own client talks to it through `StdioClientTransport`. The in-process
 * and internal-entry suites (src/mcp/, tests/mcp/) cover the tools in depth; this covers the command.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Memory } from "../../src/memory/schema.ts";
import { T4DM } from "../../src/memory/t4dm.ts";
import { type CallToolResult, Client, StdioClientTransport } from "../mcp/_client.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = join(ROOT, "main.ts");

Deno.test("t4dm mcp serves stdio to the SDK client: tools list, store then recall, clean stop", async () => {
  const dir = await Deno.makeTempDir({ prefix: "t4dm-cli-mcp-stdio-" });
  const dataDir = join(dir, "data");
  const env = Deno.env.toObject();
  delete env.T4DM_URL; // `mcp` is local-only and ignores it, but keep the child's setup plain
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "-A", "--unstable-kv", MAIN, "mcp", "--data-dir", dataDir],
    cwd: ROOT,
    env: { ...env, NO_COLOR: "1" },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Uint8Array) => (stderr += new TextDecoder().decode(chunk)));
  // Anything on stdout that is not a JSON-RPC message shows up here.
  const protocolErrors: string[] = [];
  const client = new Client({ name: "t4dm-cli-mcp-test", version: "1.0.0" });
  client.onerror = (e) => protocolErrors.push(e.message);
  const fail = (what: string, state: unknown): never => {
    throw new Error(
      `${what}\n${JSON.stringify(state, null, 2)}\n--- protocol errors ---\n${
        protocolErrors.join("\n")
      }\n--- server stderr ---\n${stderr}`,
    );
  };
  let stored: Memory | undefined;
  try {
    await session();
    await reopen();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }

  async function session(): Promise<void> {
    try {
      await client.connect(transport);
      if (client.getServerVersion()?.name !== "t4dm") fail("not the t4dm server", client.getServerVersion());

      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name).sort();
      for (const want of ["give_feedback", "recall_memories", "store_memory"]) {
        if (!names.includes(want)) fail(`tools/list lacks ${want}`, names);
      }

      const s = await client.callTool({
        name: "store_memory",
        arguments: { content: "Ada keeps her bicycle in the blue shed", tags: ["ada"] },
      }) as CallToolResult;
      stored = (s.structuredContent as { memory?: Memory } | undefined)?.memory;
      if (s.isError || !stored?.id) fail("store_memory failed", s);
      await client.callTool({ name: "store_memory", arguments: { content: "The office closes at six" } });

      const r = await client.callTool({
        name: "recall_memories",
        arguments: { query: "where is Ada's bike?", k: 1 },
      }) as CallToolResult;
      const results = (r.structuredContent as { results?: { memory: Memory }[] } | undefined)?.results ?? [];
      const text = r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
      if (
        r.isError || results.length !== 1 || results[0]!.memory.id !== stored!.id ||
        results[0]!.memory.content !== stored!.content || !text.includes(stored!.id)
      ) {
        fail("recall_memories did not return the stored memory first", r);
      }
      if (protocolErrors.length) fail("the client saw protocol errors (non-JSON-RPC output on stdout?)", {});
    } catch (e) {
      if (e instanceof Error && e.message.includes("--- server stderr ---")) throw e;
      fail(`the session failed: ${e instanceof Error ? e.message : e}`, {});
    } finally {
      await client.close(); // ends the child's stdin
    }
  }

  /** The server stops on stdin's end and closes the store: the library opens it again and finds the memory. */
  async function reopen(): Promise<void> {
    for (let i = 0; i < 100 && !stderr.includes("stopping (stdin closed)"); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!stderr.includes("stopping (stdin closed)")) fail("the server did not log its stop on stderr", {});
    let mem: T4DM | undefined;
    for (let i = 0; i < 100 && !mem; i++) {
      // The process may still be releasing the store's lock just after the log line.
      mem = await T4DM.open({
        path: dataDir,
        embedder: { dim: 512, id: "unused", embed: () => Promise.reject(new Error("not needed")) },
      }).catch(async (e) => {
        if (i === 99) fail(`the store stayed locked: ${(e as Error).message}`, {});
        await new Promise((r) => setTimeout(r, 50));
        return undefined;
      });
    }
    try {
      const again = await mem!.get(stored!.id);
      if (again?.content !== stored!.content) {
        fail("the stored memory is not in the store after the stop", again);
      }
    } finally {
      await mem!.close();
    }
  }
});
