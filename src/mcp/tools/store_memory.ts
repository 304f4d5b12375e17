/**
 * `store_memory`: writes one memory.
 *
 * @module
 */
import { z } from "zod";
import { StoreInputSchema } from "../../memory/schema.ts";
import { formatMemory } from "../_format.ts";
import { MemoryOutputSchema, NamespaceField, TagsField } from "../_schemas.ts";
import { defineTool } from "../_tool.ts";

const s = StoreInputSchema.shape;

/** Stores one memory; the library mints its id and embeds its content. */
export const storeMemoryTool = defineTool({
  name: "store_memory",
  title: "Store Memory",
  description: "Saves one memory (a fact, event, preference or procedure) so it can be recalled later. " +
    "Use it when the user shares something worth remembering beyond this conversation, or when a task " +
    "produced a result to keep. Store one self-contained statement per call, written so it makes sense " +
    "without the conversation. Returns the stored memory with its id.",
  input: z.strictObject({
    content: s.content.describe("The memory as a self-contained statement, e.g. 'Ada prefers green tea'"),
    namespace: NamespaceField,
    session: s.session.describe("Conversation or task session the memory belongs to"),
    kind: s.kind.describe(
      "episodic (an event, the default), semantic (a lasting fact) or procedural (how to do something)",
    ),
    actor: s.actor.describe("Who said or did it, e.g. 'user' or a person's name"),
    eventTime: s.eventTime.describe("When it happened: ms since the epoch or ISO-8601; defaults to now"),
    validFrom: s.validFrom.describe("Start of validity: ms or ISO-8601; defaults to eventTime"),
    validTo: s.validTo.describe("End of validity (exclusive): ms or ISO-8601; absent means still valid"),
    importance: s.importance.describe(
      "How much it matters, 0..1; default 0.5. Recall ranks important ones higher",
    ),
    tags: TagsField,
    metadata: s.metadata.describe("Arbitrary JSON object kept with the memory and usable as a filter"),
  }),
  output: z.object({ memory: MemoryOutputSchema.describe("The stored memory, with its new id") }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(mem, args) {
    const memory = await mem.store(args);
    return { text: `Stored memory in "${memory.namespace}":\n${formatMemory(memory)}`, data: { memory } };
  },
});
