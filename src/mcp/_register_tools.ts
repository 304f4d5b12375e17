/**
 * Installs the `tools/list` and `tools/call` handlers for a set of {@linkcode McpTool}s on an MCP server.
 *
 * Why not `McpServer.registerTool`: the SDK validates arguments itself and answers with its own message
 * format, so validation errors would bypass the one error mapping (src/memory/errors.ts). Here every
 * failure, argument validation included, goes through `parse` (which names the field) and `mapError`, and
 * comes back as a tool error (`isError: true`) the model can read and correct. An unknown tool name is a
 * protocol error (JSON-RPC -32602), as the MCP specification asks.
 *
 * It is also where API keys are enforced for tools (src/mcp/_access.ts): the scope is checked before the
 * arguments are parsed, and the `namespace` argument is resolved and checked before the tool runs, so a
 * refused call never reaches the library.
 *
 * @module
 */
import { z } from "zod";
import { mapError } from "../memory/errors.ts";
import { parse } from "../memory/schema.ts";
import type { T4DM } from "../memory/t4dm.ts";
import { OPEN_PRINCIPAL, type Principal, requireScope, scopeNamespace, toolScope } from "./_access.ts";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Server,
  type Tool,
} from "./_sdk.ts";
import type { McpTool } from "./_tool.ts";

/** Options of {@linkcode registerTools}. */
export interface RegisterToolsOptions {
  /** The memory store the tools act on. */
  mem: T4DM;
  /** The tools; names must be unique. */
  tools: readonly McpTool[];
  /** Where diagnostics go. @default a line on stderr */
  log?: (line: string) => void;
  /** Wraps every call, e.g. to count calls in flight. @default none */
  track?: <T>(p: Promise<T>) => Promise<T>;
  /** The caller's API key: its scopes and namespaces bound every call. @default OPEN_PRINCIPAL (all) */
  principal?: Principal;
}

const descriptors = new WeakMap<McpTool, Tool>();

/**
 * The published declaration of a tool: JSON Schemas (draft-07, which the SDK's client validator reads)
 * generated from the zod schemas, computed once per tool.
 *
 * @param tool The tool.
 * @returns Its `tools/list` entry.
 *
 * @example
 * ```ts
 * import { describeTool } from "./_register_tools.ts";
 * import { storeMemoryTool } from "./tools/store_memory.ts";
 * const d = describeTool(storeMemoryTool);
 * if (!d.inputSchema.required?.includes("content")) throw new Error(JSON.stringify(d));
 * ```
 */
export function describeTool(tool: McpTool): Tool {
  let d = descriptors.get(tool);
  if (!d) {
    d = {
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: jsonSchema(tool.input, "input") as Tool["inputSchema"],
      outputSchema: jsonSchema(tool.output, "output") as NonNullable<Tool["outputSchema"]>,
      annotations: { title: tool.title, ...tool.annotations },
    };
    descriptors.set(tool, d);
  }
  return d;
}

function jsonSchema(schema: z.ZodObject, io: "input" | "output"): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: "draft-7", io }) as Record<string, unknown>;
}

/**
 * Turns any thrown value into an MCP tool error whose text is `CODE: message`, the code coming from
 * `mapError`. Internal and corruption errors are also logged with their stack.
 *
 * @param e What was thrown.
 * @param log Where to log internal errors.
 * @returns A `CallToolResult` with `isError: true`.
 *
 * @example
 * ```ts
 * import { MemoryError } from "../memory/errors.ts";
 * import { toolError } from "./_register_tools.ts";
 * const r = toolError(new MemoryError("NOT_FOUND", 'Cannot get memory "x": no such memory'), () => {});
 * if (!r.isError || r.content[0]?.type !== "text" || !r.content[0].text.startsWith("NOT_FOUND: ")) {
 *   throw new Error(JSON.stringify(r));
 * }
 * ```
 */
export function toolError(e: unknown, log: (line: string) => void): CallToolResult {
  const m = mapError(e);
  const message = e instanceof Error ? e.message : String(e);
  if (m.status >= 500 && m.code !== "UNAVAILABLE") {
    log(`t4dm mcp: ${m.code} error: ${e instanceof Error ? e.stack ?? message : message}`);
  }
  return { isError: true, content: [{ type: "text", text: `${m.code}: ${message}` }] };
}

/**
 * Makes `tools` callable on `server`. Call once, before connecting a transport.
 *
 * @param server The low-level server (`McpServer.server`).
 * @param options The store, the tools, the caller's key, logging and tracking.
 * @throws {Error} If two tools share a name, or tool handlers are already installed.
 */
export function registerTools(server: Server, options: RegisterToolsOptions): void {
  const { mem, tools } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const track = options.track ?? (<T>(p: Promise<T>) => p);
  const principal = options.principal ?? OPEN_PRINCIPAL;
  const byName = new Map<string, McpTool>();
  for (const t of tools) {
    if (byName.has(t.name)) throw new Error(`Cannot register tool "${t.name}": the name is taken`);
    byName.set(t.name, t);
  }
  const listed = tools.map(describeTool);
  server.registerCapabilities({ tools: { listChanged: false } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));
  server.setRequestHandler(CallToolRequestSchema, (req) => {
    const tool = byName.get(req.params.name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Cannot call tool ${JSON.stringify(req.params.name)}: no such tool`,
      );
    }
    return track(callTool(tool, mem, req.params.arguments ?? {}, principal, log));
  });
}

async function callTool(
  tool: McpTool,
  mem: T4DM,
  args: Record<string, unknown>,
  principal: Principal,
  log: (line: string) => void,
): Promise<CallToolResult> {
  try {
    requireScope(principal, toolScope(tool), `call ${tool.name}`);
    const input = parse(tool.input, args, `call ${tool.name}`);
    if ("namespace" in tool.input.shape) {
      const fields = input as Record<string, unknown>;
      const ns = scopeNamespace(principal, fields.namespace as string | undefined);
      if (ns === undefined) delete fields.namespace;
      else fields.namespace = ns;
    }
    const answer = await tool.run(mem, input, principal);
    const out = tool.output.safeParse(answer.data);
    if (!out.success) {
      const issue = out.error.issues[0]!;
      throw new Error(
        `Cannot answer ${tool.name}: output field "${issue.path.map(String).join(".")}" ${issue.message}`,
      );
    }
    return {
      content: [{ type: "text", text: answer.text }],
      structuredContent: out.data as Record<string, unknown>,
    };
  } catch (e) {
    return toolError(e, log);
  }
}
