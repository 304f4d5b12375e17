/**
 * The parts of `@modelcontextprotocol/sdk` the server uses, imported in one place.
 *
 * Why the `@ts-types` lines: the SDK's `exports` map sends `./*` types to `./dist/esm/*.d.ts`, so the
 * documented `.js` subpaths (`.../server/mcp.js`) resolve to `mcp.js.d.ts`, which does not exist. `tsc`
 * falls back to `typesVersions`; Deno does not, and every SDK type silently becomes `any`
 * (modelcontextprotocol/typescript-sdk#2701). Runtime imports keep the `.js` path (Node ESM needs it);
 * the directive points the type checker at the extension-less subpath, which does resolve. Drop the
 * directives once the SDK ships the `./*.js` export pattern.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/server/mcp"
export { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="@modelcontextprotocol/sdk/server/index"
export type { Server } from "@modelcontextprotocol/sdk/server/index.js";
// @ts-types="@modelcontextprotocol/sdk/server/stdio"
export { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
export { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
export {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type ReadResourceResult,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
