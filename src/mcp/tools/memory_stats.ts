/**
 * `memory_stats`: counts per namespace and storage figures.
 *
 * @module
 */
import { z } from "zod";
import { canSee } from "../_access.ts";
import { defineTool } from "../_tool.ts";

/**
 * Reports how many memories each namespace holds, the embedder and the engine's figures. Over HTTP with
 * an API key, as `/v1/stats`: only the key's namespaces, and engine figures for admin keys only.
 */
export const memoryStatsTool = defineTool({
  name: "memory_stats",
  title: "Memory Stats",
  description: "Reports how many memories each namespace holds, which embedder is in use and the " +
    "storage engine's figures (files per level, bytes written, write amplification). Use it to check " +
    "that memories were stored, to list namespaces, or to diagnose the store.",
  input: z.strictObject({}),
  output: z.object({
    namespaces: z.record(
      z.string(),
      z.object({
        memories: z.number().describe("Memories stored, current versions"),
        vectors: z.number().describe("Vectors in the meaning index"),
      }).describe("Counts of one namespace"),
    ).describe("Counts per namespace name"),
    embedder: z.string().describe("Id of the text embedder, naming its model and vector space"),
    engine: z.record(z.string(), z.unknown()).describe(
      "Storage engine figures: levels, memtableBytes, lastSeq, flushes, compactions, userBytes, walBytes, " +
        "writeAmplification and more; empty for an API key without the admin scope",
    ),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(mem, _args, principal) {
    const s = await mem.stats();
    const namespaces = Object.fromEntries(
      Object.entries(s.namespaces).filter(([ns]) => canSee(principal, ns)),
    );
    const admin = principal.scopes.includes("admin");
    const lines = Object.entries(namespaces).map(([ns, c]) => `- ${ns}: ${c.memories} memories`);
    const text =
      `${lines.length} namespace${lines.length === 1 ? "" : "s"} (embedder ${s.embedder}):\n${
        lines.join("\n") || "(none)"
      }\n` +
      (admin
        ? `engine: ${s.engine.userBytes} user bytes, write amplification ${
          s.engine.writeAmplification.toFixed(2)
        }`
        : "engine: figures need an API key with the admin scope");
    return { text, data: { namespaces, embedder: s.embedder, engine: admin ? { ...s.engine } : {} } };
  },
});
