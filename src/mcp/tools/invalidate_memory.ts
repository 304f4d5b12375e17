/**
 * `invalidate_memory`: marks a memory as no longer true, keeping it for history.
 *
 * @module
 */
import { z } from "zod";
import { TimeSchema } from "../../memory/schema.ts";
import { formatMemory } from "../_format.ts";
import { IdField, MemoryOutputSchema, NamespaceField } from "../_schemas.ts";
import { defineTool } from "../_tool.ts";

/** Ends a memory's validity; recall skips it from then on unless asked `asOf` an earlier time. */
export const invalidateMemoryTool = defineTool({
  name: "invalidate_memory",
  title: "Invalidate Memory",
  description: "Marks a memory as no longer true from a given time (default now) without deleting it: " +
    "recall_memories stops returning it, but a recall with 'asOf' an earlier time still finds it and " +
    "memory_history keeps the previous version. Use it when a fact changed (the user moved, changed jobs, " +
    "changed a preference); then store the new fact with store_memory.",
  input: z.strictObject({
    id: IdField,
    namespace: NamespaceField,
    at: TimeSchema.optional().describe("When it stopped being valid: ms or ISO-8601; defaults to now"),
  }),
  output: z.object({ memory: MemoryOutputSchema.describe("The new version, with validTo set") }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(mem, { id, namespace, at }) {
    const options: { namespace?: string; at?: number | string } = {};
    if (namespace !== undefined) options.namespace = namespace;
    if (at !== undefined) options.at = at;
    const memory = await mem.invalidate(id, options);
    return { text: `Invalidated memory:\n${formatMemory(memory)}`, data: { memory } };
  },
});
