/**
 * The shape of one MCP tool declared in full (name, title, description, input and output schemas, all four
 * annotations, a handler), and the two helpers every tool file uses to build its answer.
 *
 * @module
 */
import type { z } from "zod";
import type { Principal } from "../http/key_store.ts";
import type { T4DM } from "../memory/t4dm.ts";

/**
 * The four MCP tool annotations, all required so that no tool leaves a client guessing.
 *
 * The MCP specification defines them as hints: `readOnlyHint` (the tool changes nothing),
 * `destructiveHint` (it may delete or overwrite what cannot be got back), `idempotentHint` (calling it
 * again with the same arguments changes nothing more) and `openWorldHint` (it reaches outside the server,
 * e.g. the web). T4DM tools only touch the local store, so `openWorldHint` is always false.
 */
export interface ToolAnnotations {
  /**
   * The tool changes nothing. Also decides the API key scope a call needs over HTTP: `read` when true,
   * `write` when false (src/mcp/_access.ts).
   */
  readOnlyHint: boolean;
  /** The tool may delete or overwrite data that cannot be got back. */
  destructiveHint: boolean;
  /** A second identical call has no further effect. */
  idempotentHint: boolean;
  /** The tool reaches entities outside the memory store. */
  openWorldHint: boolean;
}

/** What a tool handler returns: a text for the model and structured data matching the output schema. */
export interface ToolAnswer<O> {
  /** Human- and model-readable rendering; carries every id the structured data carries. */
  text: string;
  /** Structured result; must validate against the tool's output schema. */
  data: O;
}

/**
 * One MCP tool over the memory library.
 *
 * INVARIANT: every field of `input` and `output` has a description, `name` is snake_case and starts with
 * a verb or names what it returns, `title` is Title Case (tests/mcp checks the published list).
 *
 * @typeParam I The input object schema.
 * @typeParam O The output object schema.
 */
export interface McpTool<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  /** Stable snake_case name. Never renamed: deprecate by title instead. */
  name: string;
  /** Title Case display name; "(Deprecated)" is appended when the tool is retired. */
  title: string;
  /** What the tool does and when a model should use it. */
  description: string;
  /** Arguments, validated before `run` with the library's `parse` (errors name the field). */
  input: I;
  /** Shape of `structuredContent`. */
  output: O;
  /** All four annotations. */
  annotations: ToolAnnotations;
  /**
   * Runs the tool. Throws library errors; the registry maps them with `mapError`.
   *
   * By the time `run` is called the registry has checked the caller's scope and, when `input` has a
   * `namespace` field, replaced it with the namespace the caller may use (src/mcp/_access.ts). A tool
   * that reads across namespaces (memory_stats) must itself show only what `principal` may see.
   */
  run(mem: T4DM, args: z.output<I>, principal: Principal): Promise<ToolAnswer<z.output<O>>>;
}

/**
 * Declares a tool, keeping the input and output types tied to their schemas.
 *
 * @typeParam I The input object schema.
 * @typeParam O The output object schema.
 * @param tool The full declaration.
 * @returns The same declaration, typed.
 *
 * @example A tool that counts characters
 * ```ts
 * import { z } from "zod";
 * import { defineTool } from "./_tool.ts";
 * const count = defineTool({
 *   name: "count_characters",
 *   title: "Count Characters",
 *   description: "Counts the characters of a text. Use it to check a length limit.",
 *   input: z.strictObject({ text: z.string().describe("The text to measure") }),
 *   output: z.strictObject({ length: z.number().describe("Its length in UTF-16 units") }),
 *   annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
 *   run: (_mem, { text }) => Promise.resolve({ text: `${text.length}`, data: { length: text.length } }),
 * });
 * if (count.name !== "count_characters") throw new Error("lost the name");
 * ```
 */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(tool: McpTool<I, O>): McpTool<I, O> {
  return tool;
}
