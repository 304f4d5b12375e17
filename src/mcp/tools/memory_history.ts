/**
 * `memory_history`: every version of a memory.
 *
 * @module
 */
import { z } from "zod";
import { formatMemory } from "../_format.ts";
import { IdField, MemoryOutputSchema, NamespaceField } from "../_schemas.ts";
import { defineTool } from "../_tool.ts";

/** Lists every version of a memory, oldest first. */
export const memoryHistoryTool = defineTool({
  name: "memory_history",
  title: "Memory History",
  description: "Lists every version of a memory, oldest first, ending with the current one. Use it to " +
    "see how a memory changed through update_memory and invalidate_memory, or what it said before. " +
    "Returns an empty list for an id that never existed or was forgotten.",
  input: z.strictObject({ id: IdField, namespace: NamespaceField }),
  output: z.object({
    versions: z.array(MemoryOutputSchema).describe("Versions, oldest first; the last is the current one"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(mem, { id, namespace }) {
    const versions = await mem.history(id, namespace === undefined ? {} : { namespace });
    const text = versions.length === 0
      ? `No memory ${id} and no history of it.`
      : `${versions.length} versions of memory ${id}, oldest first:\n` +
        versions.map((m) => formatMemory(m, `v${m.version} `)).join("\n");
    return { text, data: { versions } };
  },
});
