/**
 * `give_feedback`: tells the store whether a recalled memory helped, by nudging its importance.
 *
 * The rule lives in the library (`T4DM.feedback`): useful adds {@linkcode FEEDBACK_STEP} to the
 * importance, not useful subtracts it, clamped to 0..1; concurrent feedback calls all count.
 *
 * @module
 */
import { z } from "zod";
import { MemoryError } from "../../memory/errors.ts";
import { formatMemory, round } from "../_format.ts";
import { IdField, MemoryOutputSchema, NamespaceField } from "../_schemas.ts";
import { defineTool } from "../_tool.ts";

/** How far one feedback moves importance (on the 0..1 scale). */
export const FEEDBACK_STEP = 0.1; // T4DM's default feedbackStep

/** Nudges a memory's importance up (useful) or down (not useful) by {@linkcode FEEDBACK_STEP}. */
export const giveFeedbackTool = defineTool({
  name: "give_feedback",
  title: "Give Feedback",
  description: "Reports whether a memory returned by recall_memories was useful. Useful raises its " +
    `importance by ${FEEDBACK_STEP} and not useful lowers it by ${FEEDBACK_STEP} (kept within 0..1), so ` +
    "future recalls rank it higher or lower (not a new version: content is unchanged). Use " +
    "it after a recall, once you know whether the memory helped; to fix a wrong memory use update_memory.",
  input: z.strictObject({
    id: IdField,
    namespace: NamespaceField,
    useful: z.boolean().describe(
      "True when the memory helped answer, false when it was irrelevant or misleading",
    ),
  }),
  output: z.object({
    memory: MemoryOutputSchema.describe("The memory, with the adjusted importance"),
    previousImportance: z.number().describe("Importance before the feedback, 0..1"),
    importance: z.number().describe("Importance after the feedback, 0..1"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(mem, { id, namespace, useful }) {
    const ns = namespace === undefined ? {} : { namespace };
    const before = await mem.get(id, ns);
    if (!before) {
      throw new MemoryError(
        "NOT_FOUND",
        `Cannot give feedback on memory ${JSON.stringify(id)}: no such memory in "${namespace ?? "default"}"`,
      );
    }
    const memory = await mem.feedback(id, useful, ns);
    const importance = round(memory.importance);
    const text =
      `Importance ${round(before.importance)} -> ${importance} (${useful ? "useful" : "not useful"}):\n` +
      formatMemory(memory);
    return { text, data: { memory, previousImportance: before.importance, importance } };
  },
});
