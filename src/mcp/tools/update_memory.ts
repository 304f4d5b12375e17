/**
 * `update_memory`: writes a new version of a memory.
 *
 * @module
 */
import { z } from "zod";
import { UpdatePatchSchema } from "../../memory/schema.ts";
import { formatMemory } from "../_format.ts";
import { IdField, MemoryOutputSchema, NamespaceField, TagsField } from "../_schemas.ts";
import { defineTool } from "../_tool.ts";

const p = UpdatePatchSchema.shape;

/** Replaces the given fields of a memory; the previous version stays in its history. */
export const updateMemoryTool = defineTool({
  name: "update_memory",
  title: "Update Memory",
  description: "Corrects or refines an existing memory: the fields given replace the current ones and " +
    "the version number goes up; the previous version stays readable with memory_history. Use it to fix " +
    "a wrong or imprecise memory. When a fact changed over time, prefer invalidate_memory plus " +
    "store_memory so the past stays true.",
  input: z.strictObject({
    id: IdField,
    namespace: NamespaceField,
    content: p.content.describe("New text of the memory"),
    actor: p.actor.describe("New actor: who said or did it"),
    kind: p.kind.describe("New kind: episodic, semantic or procedural"),
    eventTime: p.eventTime.describe("New time it happened: ms or ISO-8601"),
    importance: p.importance.describe("New importance 0..1"),
    tags: TagsField.describe("New tags, replacing all current tags"),
    metadata: p.metadata.describe("New metadata object, replacing the current one"),
  }),
  output: z.object({ memory: MemoryOutputSchema.describe("The new version") }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(mem, { id, namespace, ...patch }) {
    const memory = await mem.update(id, patch, namespace === undefined ? {} : { namespace });
    return { text: `Updated memory:\n${formatMemory(memory)}`, data: { memory } };
  },
});
