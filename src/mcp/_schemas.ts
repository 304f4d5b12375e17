/**
 * Zod schemas the MCP tools share: the memory as tools return it, and the input fields several tools take.
 * Input fields reuse the library's schemas (src/memory/schema.ts) so that MCP accepts exactly what the
 * library accepts; they only add the descriptions the library leaves out.
 *
 * @module
 */
import { z } from "zod";
import { KINDS, NamespaceSchema, StoreInputSchema } from "../memory/schema.ts";

/** The optional namespace every tool takes. */
export const NamespaceField = NamespaceSchema.optional().describe(
  'Tenant namespace (letters, digits, ".", "_", ":", "-"); defaults to "default". Memories never cross namespaces',
);

/** The id of an existing memory. */
export const IdField = z.string().min(1).max(128).describe(
  "Id of the memory, as returned by store_memory or recall_memories",
);

/** Tags, as stored. */
export const TagsField = StoreInputSchema.shape.tags.describe(
  'Short labels for filtering, e.g. ["work", "preferences"]; up to 64, each 1-64 characters',
);

/** A stored memory as every tool returns it. Times are milliseconds since the epoch (UTC). */
export const MemoryOutputSchema = z.object({
  id: z.string().describe("Stable id (UUIDv7 unless imported)"),
  namespace: z.string().describe("Namespace holding the memory"),
  session: z.string().optional().describe("Conversation or task session, when given"),
  kind: z.enum(KINDS).describe("episodic, semantic or procedural"),
  content: z.string().describe("The remembered text"),
  actor: z.string().optional().describe("Who said or did it, when given"),
  eventTime: z.number().describe("When it happened, ms since the epoch"),
  recordTime: z.number().describe("When this version was written, ms since the epoch"),
  validFrom: z.number().describe("Start of validity, ms since the epoch"),
  validTo: z.number().optional().describe(
    "End of validity (exclusive), ms since the epoch; absent while valid",
  ),
  importance: z.number().describe("Importance 0..1"),
  kappa: z.number().describe("Consolidation level 0..1"),
  tags: z.array(z.string()).describe("Labels"),
  metadata: z.record(z.string(), z.unknown()).describe("Arbitrary JSON attached by the caller"),
  provenance: z.array(z.string()).describe("Ids of the memories this one was derived from"),
  access: z.object({
    count: z.number().describe("How many times recall returned it"),
    last: z.number().optional().describe("When recall last returned it, ms since the epoch"),
  }).describe("Recall statistics"),
  version: z.number().int().describe("Version number, 1 for a new memory, +1 per update or invalidation"),
}).describe("A stored memory");
