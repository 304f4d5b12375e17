/**
 * Builds the T4DM MCP server: the tools of src/mcp/tools/ and the `memory://context` resources over one
 * open {@linkcode T4DM}. Transports live in stdio.ts and http.ts; this file knows none of them.
 *
 * @module
 */
import denoJson from "../../deno.json" with { type: "json" };
import type { T4DM } from "../memory/t4dm.ts";
import type { Principal } from "./_access.ts";
import { registerTools } from "./_register_tools.ts";
import { McpServer } from "./_sdk.ts";
import { registerContextResource } from "./context_resource.ts";
import { TOOLS } from "./tools/mod.ts";

/** What the server tells the model about itself at initialization. */
export const INSTRUCTIONS = "T4DM is a long-term memory. Before answering anything that may depend on " +
  "earlier conversations (the user's preferences, facts about people or projects, past events, decisions), " +
  "call recall_memories. When the user shares something worth keeping, call store_memory with one " +
  "self-contained statement per memory. When a fact changes, invalidate_memory the old one and store the " +
  "new one; use update_memory only to correct mistakes, and forget_memory only when asked to forget. " +
  "After using a recalled memory, give_feedback says whether it helped. The memory://context resource " +
  "lists the newest and most important memories.";

/** Options of {@linkcode createMcpServer}. */
export interface CreateMcpServerOptions {
  /** Where diagnostics go; never stdout. @default a line on stderr */
  log?: (line: string) => void;
  /** Wraps every tool call and resource read, e.g. to wait for them before closing. @default none */
  track?: <T>(p: Promise<T>) => Promise<T>;
  /**
   * The caller's API key (from `KeyStore.verify`): its scopes decide which tools it may call (read-only
   * tools need `read`, the others `write`) and every namespace a tool or the context resource touches
   * must be one of its namespaces; a call naming none uses the key's first. See src/mcp/_access.ts.
   * @default OPEN_PRINCIPAL: everything allowed (stdio, or HTTP while no key exists)
   */
  principal?: Principal;
}

/**
 * Creates an MCP server exposing `mem` through the T4DM tools and context resources. The server is not
 * connected; connect it to one transport. It never closes `mem`: the caller owns the store.
 *
 * Tools are installed on the underlying low-level server (see src/mcp/_register_tools.ts for why), so
 * `registerTool` must not be called on the result.
 *
 * @param mem The open memory store.
 * @param options Logging, call tracking and the caller's API key.
 * @returns An unconnected `McpServer`.
 *
 * @example List the tools in process
 * ```ts
 * // @ts-types="@modelcontextprotocol/sdk/client/index"
 * import { Client } from "@modelcontextprotocol/sdk/client/index.js";
 * // @ts-types="@modelcontextprotocol/sdk/inMemory"
 * import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
 * import { T4DM } from "../memory/t4dm.ts";
 * import { createMcpServer } from "./server.ts";
 * const embedder = { dim: 2, id: "const", embed: (t: string[]) => Promise.resolve(t.map(() => Float32Array.of(1, 0))) };
 * const path = Deno.makeTempDirSync();
 * const mem = await T4DM.open({ path, embedder });
 * const server = createMcpServer(mem);
 * const [a, b] = InMemoryTransport.createLinkedPair();
 * await server.connect(a);
 * const client = new Client({ name: "example", version: "1" });
 * await client.connect(b);
 * const { tools } = await client.listTools();
 * await client.close();
 * await mem.close();
 * Deno.removeSync(path, { recursive: true });
 * if (!tools.some((t) => t.name === "store_memory")) throw new Error("no store_memory");
 * ```
 */
export function createMcpServer(mem: T4DM, options: CreateMcpServerOptions = {}): McpServer {
  const server = new McpServer(
    { name: "t4dm", title: "T4DM Memory", version: denoJson.version },
    { instructions: INSTRUCTIONS },
  );
  const log = options.log ?? ((line: string) => console.error(line));
  const track = options.track ?? (<T>(p: Promise<T>) => p);
  const principal = options.principal ? { principal: options.principal } : {};
  registerTools(server.server, { mem, tools: TOOLS, log, track, ...principal });
  registerContextResource(server, { mem, track, ...principal });
  server.server.onerror = (e) => log(`t4dm mcp: protocol error: ${e.message}`);
  return server;
}
