/**
 * The `memory://context` resource: what an agent should have in mind at the start of a conversation, i.e.
 * the most recent and the most important memories of a namespace, as Markdown and as JSON.
 * `memory://context/{namespace}` gives the same for any namespace.
 *
 * Cost: the library has no "newest N" or "top N by importance" query yet, so this scans the namespace
 * once through `T4DM.export` (O(memories), keeping two bounded lists). Fine for thousands of memories;
 * for far more, give T4DM a `context()` service that reads the time index backwards.
 *
 * With an API key (HTTP), reading needs the `read` scope, `memory://context` shows the key's default
 * namespace, `memory://context/{namespace}` only the key's namespaces, and the listing only those
 * (src/mcp/_access.ts).
 *
 * @module
 */
import { mapError } from "../memory/errors.ts";
import { type Memory, NamespaceSchema, parse } from "../memory/schema.ts";
import type { T4DM } from "../memory/t4dm.ts";
import { canSee, OPEN_PRINCIPAL, type Principal, requireScope, scopeNamespace } from "./_access.ts";
import { formatMemory } from "./_format.ts";
import { ErrorCode, McpError, type McpServer, type ReadResourceResult, ResourceTemplate } from "./_sdk.ts";

/** URI of the default namespace's context. */
export const CONTEXT_URI = "memory://context";

/** Options of {@linkcode registerContextResource}. */
export interface RegisterContextOptions {
  /** The memory store to read. */
  mem: T4DM;
  /** Wraps every read, e.g. to wait for reads in flight before closing. @default none */
  track?: <T>(p: Promise<T>) => Promise<T>;
  /** The caller's API key: reads need `read` and stay in its namespaces. @default OPEN_PRINCIPAL (all) */
  principal?: Principal;
}

/** Options of {@linkcode buildContext}. */
export interface BuildContextOptions {
  /** Namespace to read. @default "default" */
  namespace?: string;
  /** How many of the newest memories (by event time). @default 10 */
  recent?: number;
  /** How many of the most important memories, besides the newest. @default 10 */
  important?: number;
  /** Reference time (ms) for "still valid". @default Date.now() */
  now?: number;
}

/** The current context of one namespace. */
export interface MemoryContext {
  /** The namespace read. */
  namespace: string;
  /** When the context was built, ms since the epoch. */
  generatedAt: number;
  /** Memories currently valid in the namespace. */
  total: number;
  /** Newest memories by event time (then record time), newest first. */
  recent: Memory[];
  /** Most important memories not already in `recent`, most important first (ties: newer first). */
  important: Memory[];
}

/**
 * Builds the context of a namespace: its newest and its most important currently valid memories, without
 * duplicates. Invalidated memories (validTo in the past) are left out.
 *
 * @param mem The memory store.
 * @param options Namespace, list sizes and reference time.
 * @returns The two lists and the number of valid memories seen.
 *
 * @example Newest and most important
 * ```ts
 * import { T4DM } from "../memory/t4dm.ts";
 * import { buildContext } from "./context_resource.ts";
 * const embedder = { dim: 2, id: "const", embed: (t: string[]) => Promise.resolve(t.map(() => Float32Array.of(1, 0))) };
 * const path = Deno.makeTempDirSync();
 * const mem = await T4DM.open({ path, embedder });
 * await mem.store({ content: "old but vital", importance: 1, eventTime: 1000 });
 * await mem.store({ content: "new", eventTime: 2000 });
 * const ctx = await buildContext(mem, { recent: 1, important: 1 });
 * await mem.close();
 * Deno.removeSync(path, { recursive: true });
 * if (ctx.recent[0]?.content !== "new" || ctx.important[0]?.content !== "old but vital") {
 *   throw new Error(JSON.stringify(ctx));
 * }
 * ```
 */
export async function buildContext(mem: T4DM, options: BuildContextOptions = {}): Promise<MemoryContext> {
  const nRecent = options.recent ?? 10;
  const nImportant = options.important ?? 10;
  const now = options.now ?? Date.now();
  const newer = (a: Memory, b: Memory) => b.eventTime - a.eventTime || b.recordTime - a.recordTime;
  const weightier = (a: Memory, b: Memory) => b.importance - a.importance || newer(a, b);
  // The important list may lose up to nRecent entries to de-duplication, so it keeps that many extra.
  const recent: Memory[] = [];
  const important: Memory[] = [];
  let total = 0;
  const exportOptions = options.namespace === undefined ? {} : { namespace: options.namespace };
  for await (const line of mem.export(exportOptions)) {
    const m = JSON.parse(line) as Memory;
    if (m.validTo !== undefined && m.validTo <= now) continue;
    total++;
    keepTop(recent, m, nRecent, newer);
    keepTop(important, m, nImportant + nRecent, weightier);
  }
  const shown = new Set(recent.map((m) => m.id));
  return {
    namespace: options.namespace ?? recent[0]?.namespace ?? "default",
    generatedAt: now,
    total,
    recent,
    important: important.filter((m) => !shown.has(m.id)).slice(0, nImportant),
  };
}

/** Inserts `m` into the sorted `list` if it ranks within the first `max`. */
function keepTop(list: Memory[], m: Memory, max: number, cmp: (a: Memory, b: Memory) => number): void {
  if (max <= 0) return;
  if (list.length === max && cmp(m, list[max - 1]!) >= 0) return;
  let i = list.length;
  while (i > 0 && cmp(m, list[i - 1]!) < 0) i--;
  list.splice(i, 0, m);
  if (list.length > max) list.pop();
}

/**
 * Renders a context as Markdown: a heading, the newest memories, then the most important ones.
 *
 * @param ctx The context.
 * @returns Markdown text.
 *
 * @example
 * ```ts
 * import { contextMarkdown } from "./context_resource.ts";
 * const md = contextMarkdown({ namespace: "default", generatedAt: 0, total: 0, recent: [], important: [] });
 * if (!md.startsWith("# Memory context")) throw new Error(md);
 * ```
 */
export function contextMarkdown(ctx: MemoryContext): string {
  const section = (title: string, list: Memory[]) =>
    `## ${title}\n\n` +
    (list.length === 0 ? "_None._\n" : list.map((m) => formatMemory(m, "- ")).join("\n") + "\n");
  return `# Memory context: namespace "${ctx.namespace}"\n\n` +
    `${ctx.total} valid memories as of ${new Date(ctx.generatedAt).toISOString()}.\n\n` +
    section("Most recent", ctx.recent) + "\n" +
    section("Most important (not listed above)", ctx.important);
}

async function read(
  mem: T4DM,
  principal: Principal,
  uri: URL,
  namespace: string | undefined,
): Promise<ReadResourceResult> {
  try {
    requireScope(principal, "read", "read the context");
    const named = namespace === undefined ? undefined : parse(NamespaceSchema, namespace, "read the context");
    const ns = scopeNamespace(principal, named);
    const ctx = await buildContext(mem, ns === undefined ? {} : { namespace: ns });
    return {
      contents: [
        { uri: uri.href, mimeType: "text/markdown", text: contextMarkdown(ctx) },
        { uri: uri.href, mimeType: "application/json", text: JSON.stringify(ctx) },
      ],
    };
  } catch (e) {
    const m = mapError(e);
    const code = m.code === "VALIDATION" || m.code === "FORBIDDEN"
      ? ErrorCode.InvalidParams
      : ErrorCode.InternalError;
    throw new McpError(code, `${m.code}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Registers `memory://context` and the `memory://context/{namespace}` template (listing one resource per
 * existing namespace the caller may read) on an MCP server.
 *
 * @param server The MCP server.
 * @param options The store to read, the caller's key, and call tracking.
 */
export function registerContextResource(server: McpServer, options: RegisterContextOptions): void {
  const { mem } = options;
  const principal = options.principal ?? OPEN_PRINCIPAL;
  const track = options.track ?? (<T>(p: Promise<T>) => p);
  const description = "The most recent and the most important currently valid memories " +
    "(10 newest by event time, then up to 10 highest-importance ones not already listed), as Markdown " +
    "and as JSON. Read it at the start of a conversation to know what is going on.";
  server.registerResource(
    "context",
    CONTEXT_URI,
    {
      title: "Memory Context",
      description: `${description} Namespace "${principal.defaultNamespace ?? "default"}".`,
      mimeType: "text/markdown",
    },
    (uri) => track(read(mem, principal, uri, undefined)),
  );
  const template = new ResourceTemplate(`${CONTEXT_URI}/{namespace}`, {
    list: async () => ({
      resources: (principal.scopes.includes("read") ? Object.keys((await mem.stats()).namespaces) : [])
        .filter((ns) => canSee(principal, ns)).map((ns) => ({
          uri: `${CONTEXT_URI}/${encodeURIComponent(ns)}`,
          name: `context/${ns}`,
          title: `Memory Context (${ns})`,
          mimeType: "text/markdown",
        })),
    }),
  });
  server.registerResource(
    "namespace-context",
    template,
    { title: "Memory Context of a Namespace", description, mimeType: "text/markdown" },
    (uri, vars) => {
      const ns = vars.namespace;
      return track(
        read(mem, principal, uri, decodeURIComponent(Array.isArray(ns) ? ns.join("/") : ns ?? "")),
      );
    },
  );
}
