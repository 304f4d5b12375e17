/**
 * The T4DM MCP server: memory tools and the `memory://context` resources over stdio
 * ({@linkcode runStdio}) or stateless Streamable HTTP ({@linkcode serveMcpHttp},
 * {@linkcode createMcpHttpHandler}); {@linkcode createMcpServer} builds the server over an open store.
 *
 * Tools: store_memory, recall_memories, get_memory, update_memory, invalidate_memory, forget_memory,
 * memory_history, give_feedback, memory_stats (src/mcp/tools/). Every failure is a tool error whose text
 * starts with the stable code from `mapError` (src/memory/errors.ts), e.g. `VALIDATION: Cannot call
 * store_memory: field "importance" ...`.
 *
 * Over HTTP the daemon's API keys apply (`t4dm keys`, `<data-dir>/keys.json`): once a key exists every
 * request needs one, and its scopes and namespaces bound every call (see http.ts). stdio has no keys: the
 * server belongs to the process that spawned it.
 *
 * @example Claude Desktop configuration (claude_desktop_config.json)
 * ```json
 * {
 *   "mcpServers": {
 *     "t4dm": {
 *       "command": "deno",
 *       "args": ["run", "-A", "/path/to/t4dm/main.ts", "mcp", "--data-dir", "/home/me/.t4dm"]
 *     }
 *   }
 * }
 * ```
 *
 * @module
 */
export { buildContext, CONTEXT_URI, contextMarkdown, registerContextResource } from "./context_resource.ts";
export type { BuildContextOptions, MemoryContext, RegisterContextOptions } from "./context_resource.ts";
export { createMcpHttpHandler, DEFAULT_MCP_PORT, serveMcpHttp } from "./http.ts";
export type { McpHttpHandlerOptions, McpHttpServer, ServeMcpHttpOptions } from "./http.ts";
export { createMcpServer, INSTRUCTIONS } from "./server.ts";
export type { CreateMcpServerOptions } from "./server.ts";
export { runStdio } from "./stdio.ts";
export type { RunStdioOptions } from "./stdio.ts";
export { FEEDBACK_STEP, TOOLS } from "./tools/mod.ts";
export type { McpTool, ToolAnnotations, ToolAnswer } from "./_tool.ts";
export type { Principal } from "./_access.ts";
