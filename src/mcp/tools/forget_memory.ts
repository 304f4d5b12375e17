/**
 * `forget_memory`: deletes a memory and its history for good.
 *
 * @module
 */
import { z } from "zod";
import { IdField, NamespaceField } from "../_schemas.ts";
import { defineTool } from "../_tool.ts";

/** Deletes a memory and all its versions; forgetting a missing id is not an error. */
export const forgetMemoryTool = defineTool({
  name: "forget_memory",
  title: "Forget Memory",
  description: "Permanently deletes a memory and every earlier version of it; it cannot be recovered. " +
    "Use it only when the user asks to forget something or the memory must not be kept (e.g. private " +
    "data stored by mistake). To record that a fact stopped being true, use invalidate_memory instead; to " +
    "correct it, use update_memory. Forgetting an id that does not exist succeeds with forgotten=false.",
  input: z.strictObject({ id: IdField, namespace: NamespaceField }),
  output: z.object({
    id: z.string().describe("The id asked for"),
    forgotten: z.boolean().describe("True when a memory was deleted, false when there was none"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run(mem, { id, namespace }) {
    const forgotten = await mem.forget(id, namespace === undefined ? {} : { namespace });
    const text = forgotten ? `Forgot memory ${id}.` : `No memory ${id} to forget; nothing changed.`;
    return { text, data: { id, forgotten } };
  },
});
