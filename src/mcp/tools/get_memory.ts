/**
 * `get_memory`: one memory by id.
 *
 * @module
 */
import { z } from "zod";
import { MemoryError } from "../../memory/errors.ts";
import { formatMemory } from "../_format.ts";
import { IdField, MemoryOutputSchema, NamespaceField } from "../_schemas.ts";
import { defineTool } from "../_tool.ts";

/** Reads one memory by id; a missing id is a NOT_FOUND tool error. */
export const getMemoryTool = defineTool({
  name: "get_memory",
  title: "Get Memory",
  description: "Reads one memory by its id, with all its fields (times, importance, tags, metadata, " +
    "version). Use it when you already have an id, e.g. from recall_memories, and need the full record. " +
    "Fails with NOT_FOUND when no memory has that id.",
  input: z.strictObject({ id: IdField, namespace: NamespaceField }),
  output: z.object({ memory: MemoryOutputSchema }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(mem, { id, namespace }) {
    const memory = await mem.get(id, namespace === undefined ? {} : { namespace });
    if (!memory) {
      throw new MemoryError(
        "NOT_FOUND",
        `Cannot get memory ${JSON.stringify(id)}: no such memory in "${namespace ?? "default"}"`,
      );
    }
    return { text: formatMemory(memory), data: { memory } };
  },
});
