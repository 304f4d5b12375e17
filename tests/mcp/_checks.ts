/**
 * The checks both transports must pass, run as `t.step`s against a connected SDK client: the published
 * tool declarations, the memory round trip through every tool, tool errors, and the context resources.
 *
 * @module
 */
import type { CallToolResult, Client, Tool } from "./_client.ts";

/** The tools and their annotations, as published. */
export const EXPECTED_TOOLS: Record<string, [readOnly: boolean, destructive: boolean, idempotent: boolean]> =
  {
    store_memory: [false, false, false],
    recall_memories: [true, false, true],
    get_memory: [true, false, true],
    update_memory: [false, false, false],
    invalidate_memory: [false, false, false],
    forget_memory: [false, true, true],
    memory_history: [true, false, true],
    give_feedback: [false, false, false],
    memory_stats: [true, false, true],
  };

/** Throws with the whole state when `ok` is false. */
export function check(ok: boolean, what: string, state: unknown): void {
  if (!ok) throw new Error(`${what}\n${JSON.stringify(state, null, 2)}`);
}

/** Calls a tool and returns its result, text joined. */
export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ result: CallToolResult; text: string; data: Record<string, unknown> }> {
  const result = await client.callTool({ name, arguments: args }) as CallToolResult;
  const text = result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
  return { result, text, data: (result.structuredContent ?? {}) as Record<string, unknown> };
}

/** Calls a tool that must succeed. */
export async function ok(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const r = await call(client, name, args);
  check(r.result.isError !== true && r.result.structuredContent !== undefined, `${name} failed`, r.result);
  return r.data;
}

type Json = Record<string, unknown>;

/** Lists every property path of a JSON Schema that lacks a description (following $ref). */
function undocumented(schema: Json, root: Json, path: string, out: string[], seen = new Set<Json>()): void {
  if (seen.has(schema)) return;
  seen.add(schema);
  const resolve = (s: Json): Json => {
    const ref = s.$ref as string | undefined;
    if (!ref) return s;
    const name = ref.split("/").pop()!;
    return ((root.definitions ?? root.$defs) as Record<string, Json>)[name]!;
  };
  const props = (schema.properties ?? {}) as Record<string, Json>;
  for (const [k, v] of Object.entries(props)) {
    const r = resolve(v);
    if (typeof v.description !== "string" && typeof r.description !== "string") out.push(`${path}.${k}`);
    undocumented(r, root, `${path}.${k}`, out, seen);
  }
  for (const key of ["items", "additionalProperties"]) {
    const sub = schema[key];
    if (sub && typeof sub === "object") undocumented(resolve(sub as Json), root, `${path}[]`, out, seen);
  }
  for (const alt of (schema.anyOf ?? []) as Json[]) undocumented(resolve(alt), root, path, out, seen);
}

/** Checks that every tool is declared in full. */
export function checkToolDeclarations(tools: Tool[]): void {
  const names = tools.map((t) => t.name).sort();
  check(
    JSON.stringify(names) === JSON.stringify(Object.keys(EXPECTED_TOOLS).sort()),
    "wrong tool list",
    names,
  );
  for (const t of tools) {
    const problems: string[] = [];
    if (!/^[a-z]+(_[a-z]+)+$/.test(t.name)) problems.push("name is not snake_case");
    if (!t.title || !/^([A-Z][a-z]*)( [A-Z][a-z]*)*$/.test(t.title)) problems.push("title is not Title Case");
    if (!t.description || t.description.length < 80) problems.push("description too short");
    if (t.inputSchema.type !== "object") problems.push("input schema is not an object");
    if (t.outputSchema?.type !== "object") problems.push("output schema is missing or not an object");
    const a = t.annotations ?? {};
    for (const k of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
      if (typeof a[k] !== "boolean") problems.push(`annotation ${k} missing`);
    }
    const [ro, de, id] = EXPECTED_TOOLS[t.name]!;
    if (a.readOnlyHint !== ro || a.destructiveHint !== de || a.idempotentHint !== id || a.openWorldHint) {
      problems.push("annotations differ from the documented table");
    }
    const missing: string[] = [];
    undocumented(t.inputSchema as Json, t.inputSchema as Json, "input", missing);
    if (t.outputSchema) undocumented(t.outputSchema as Json, t.outputSchema as Json, "output", missing);
    if (missing.length > 0) problems.push(`fields without description: ${missing.join(", ")}`);
    check(problems.length === 0, `tool ${t.name} is not declared in full: ${problems.join("; ")}`, t);
  }
}

/** Runs every shared check as steps of `t`. */
export async function runSharedChecks(t: Deno.TestContext, client: Client): Promise<void> {
  await t.step("every tool is declared in full", async () => {
    checkToolDeclarations((await client.listTools()).tools);
  });

  let teaId = "";
  await t.step("store_memory then recall_memories finds it by meaning", async () => {
    const stored = await ok(client, "store_memory", {
      content: "Ada prefers green tea over coffee in the morning",
      actor: "ada",
      tags: ["preferences"],
      importance: 0.6,
      eventTime: "2024-03-01T08:00:00Z",
    });
    teaId = (stored.memory as Json).id as string;
    await ok(client, "store_memory", { content: "The quarterly report is due on Friday", actor: "bob" });
    const r = await call(client, "recall_memories", {
      query: "What does Ada like to drink?",
      k: 5,
      explain: true,
    });
    const results = r.data.results as { memory: Json; score: number; explain?: Json }[];
    check(
      results[0]?.memory.id === teaId && results[0].explain !== undefined,
      "recall missed the tea memory",
      r,
    );
    check(r.text.includes(teaId), "recall text lacks the id", r.text);
    const tagged = await ok(client, "recall_memories", { query: "drink", tags: ["preferences"] });
    check((tagged.results as unknown[]).length === 1, "tag filter", tagged);
  });

  await t.step("get_memory returns the stored memory", async () => {
    const r = await call(client, "get_memory", { id: teaId });
    const m = r.data.memory as Json;
    check(
      m.content === "Ada prefers green tea over coffee in the morning" && r.text.includes(teaId),
      "get",
      r,
    );
  });

  await t.step("update_memory, give_feedback and memory_history keep every version", async () => {
    const u = await ok(client, "update_memory", { id: teaId, content: "Ada prefers jasmine green tea" });
    check((u.memory as Json).version === 2, "update version", u);
    const f = await ok(client, "give_feedback", { id: teaId, useful: true });
    check(f.previousImportance === 0.6 && f.importance === 0.7, "feedback step", f);
    const h = await ok(client, "memory_history", { id: teaId });
    const versions = h.versions as Json[];
    check(
      versions.map((v) => v.version).join() === "1,2" && // feedback adjusts importance, it is not a version
        (versions[1]?.importance as number) > 0.69 &&
        versions[0]?.content === "Ada prefers green tea over coffee in the morning",
      "history",
      h,
    );
  });

  await t.step("invalidate_memory hides it from recall except asOf an earlier time", async () => {
    const ns = { namespace: "invalidate-check" };
    const s = await ok(client, "store_memory", {
      ...ns,
      content: "Bob lives in Lisbon",
      eventTime: "2020-01-01T00:00:00Z",
    });
    const id = (s.memory as Json).id;
    await ok(client, "invalidate_memory", { ...ns, id, at: "2022-01-01T00:00:00Z" });
    const now = await ok(client, "recall_memories", { ...ns, query: "Where does Bob live?" });
    check((now.results as unknown[]).length === 0, "invalidated memory recalled", now);
    const then = await ok(client, "recall_memories", {
      ...ns,
      query: "Where does Bob live?",
      asOf: "2021-06-01T00:00:00Z",
    });
    check((then.results as { memory: Json }[])[0]?.memory.id === id, "asOf recall", then);
  });

  await t.step("forget_memory then recall_memories returns nothing", async () => {
    const ns = { namespace: "forget-check" };
    const s = await ok(client, "store_memory", { ...ns, content: "Carol's locker code is 4711" });
    const id = (s.memory as Json).id;
    const f = await ok(client, "forget_memory", { ...ns, id });
    check(f.forgotten === true, "forget", f);
    const r = await call(client, "recall_memories", { ...ns, query: "locker code" });
    check(r.result.isError !== true && (r.data.results as unknown[]).length === 0, "forgotten recalled", r);
    const again = await ok(client, "forget_memory", { ...ns, id });
    check(again.forgotten === false, "second forget", again);
    const g = await call(client, "get_memory", { ...ns, id });
    check(g.result.isError === true && g.text.startsWith("NOT_FOUND: "), "get after forget", g);
  });

  await t.step("bad arguments are tool errors that name the field", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["store_memory", { content: "x", importance: 3 }, '"importance"'],
      ["store_memory", {}, '"content"'],
      ["store_memory", { content: "x", importnce: 0.5 }, "importnce"],
      ["recall_memories", { query: "x", k: 0 }, '"k"'],
      ["recall_memories", { query: "x", when: "blue" }, '"when"'],
      ["give_feedback", { id: "nope", useful: true }, "NOT_FOUND: "],
    ];
    for (const [name, args, expected] of cases) {
      const r = await call(client, name, args);
      check(r.result.isError === true && r.text.includes(expected), `${name} ${JSON.stringify(args)}`, r);
      if (expected.startsWith('"')) check(r.text.startsWith("VALIDATION: "), "validation code", r);
    }
    const stats = await ok(client, "memory_stats", {});
    check(typeof (stats.namespaces as Record<string, Json>).default?.memories === "number", "stats", stats);
  });

  await t.step("memory://context lists recent and important memories as Markdown and JSON", async () => {
    const { resources } = await client.listResources();
    check(resources.some((r) => r.uri === "memory://context"), "context not listed", resources);
    check(
      resources.some((r) => r.uri === "memory://context/forget-check"),
      "namespaces not listed",
      resources,
    );
    const { contents } = await client.readResource({ uri: "memory://context" });
    const text = (mime: string, list: typeof contents) => {
      const c = list.find((x) => x.mimeType === mime);
      return c && "text" in c ? c.text : "";
    };
    const md = text("text/markdown", contents);
    const ctx = JSON.parse(text("application/json", contents) || "null") as {
      recent: Json[];
      important: Json[];
      total: number;
    };
    check(md !== "" && ctx !== null, "context contents", contents);
    const ids = [...ctx.recent, ...ctx.important].map((m) => m.id);
    check(ids.includes(teaId) && new Set(ids).size === ids.length, "context lists", ctx);
    check(md.includes("Ada prefers jasmine green tea"), "context markdown", md);
    const other = await client.readResource({ uri: "memory://context/invalidate-check" });
    const otherCtx = JSON.parse(text("application/json", other.contents));
    check(otherCtx.namespace === "invalidate-check" && otherCtx.total === 0, "namespace context", otherCtx);
  });
}
