/**
 * The HTTP surface's own schemas: request shapes that wrap the library's (src/memory/schema.ts) and
 * every response body. Both validation and the OpenAPI document are generated from these.
 *
 * @module
 */
import { z } from "zod";
import {
  KINDS,
  type Memory,
  NamespaceSchema,
  StoreInputSchema,
  TimeSchema,
  UpdatePatchSchema,
} from "../memory/schema.ts";

/** A memory id in a path. */
export const IdParamsSchema = z.strictObject({ id: StoreInputSchema.shape.id.unwrap() });

/** The query of routes that take only a namespace. */
export const NamespaceQuerySchema = z.strictObject({ namespace: NamespaceSchema.optional() });

/** A stored memory. */
export const MemorySchema = z.object({
  id: z.string(),
  namespace: z.string(),
  session: z.string().optional(),
  kind: z.enum(KINDS),
  content: z.string(),
  actor: z.string().optional(),
  eventTime: z.number().describe("ms since the epoch"),
  recordTime: z.number().describe("When this version was written, ms since the epoch"),
  validFrom: z.number(),
  validTo: z.number().optional().describe("End of validity (exclusive), if invalidated"),
  importance: z.number(),
  kappa: z.number(),
  tags: z.array(z.string()),
  metadata: z.record(z.string(), z.unknown()),
  provenance: z.array(z.string()),
  access: z.object({ count: z.number(), last: z.number().optional() }),
  version: z.number().int(),
}).describe("A memory; times are ms since the epoch");

/** Body of POST /v1/memories/batch. */
export function batchInputSchema(
  maxBatch: number,
): z.ZodType<{ memories: z.input<typeof StoreInputSchema>[]; namespace?: string | undefined }> {
  return z.strictObject({
    memories: z.array(StoreInputSchema).min(1).max(maxBatch).describe(`1 to ${maxBatch} memories`),
    namespace: NamespaceSchema.optional().describe("Namespace of items that name none"),
  });
}

/** Body of PATCH /v1/memories/{id}. */
export const UpdateInputSchema = UpdatePatchSchema.extend({ namespace: NamespaceSchema.optional() });

/** Body of POST /v1/memories/{id}/invalidate (may be empty). */
export const InvalidateInputSchema = z.strictObject({
  at: TimeSchema.optional().describe("End of validity; defaults to now"),
  namespace: NamespaceSchema.optional(),
});

/** Body of POST /v1/feedback. */
export const FeedbackInputSchema = z.strictObject({
  id: StoreInputSchema.shape.id.unwrap().describe("A recalled memory"),
  useful: z.boolean().describe("Whether it helped: importance moves up or down by the store's feedback step"),
  namespace: NamespaceSchema.optional(),
});

/** Response of POST /v1/feedback. */
export const FeedbackResultSchema = z.object({
  memory: MemorySchema.describe("The memory, with the adjusted importance (not a new version)"),
  previousImportance: z.number().describe("Importance before the feedback, 0..1"),
  importance: z.number().describe("Importance after the feedback, 0..1"),
});

/** Each ranking component of a recalled memory. */
export const ScorePartsSchema = z.object({
  vectorRank: z.number().optional(),
  vectorScore: z.number().optional(),
  lexicalRank: z.number().optional(),
  lexicalScore: z.number().optional(),
  fused: z.number(),
  temporal: z.number(),
  importance: z.number(),
  kappa: z.number(),
  recency: z.number(),
  total: z.number(),
});

/** Response of POST /v1/recall. */
export const RecallResponseSchema = z.object({
  results: z.array(
    z.object({ memory: MemorySchema, score: z.number(), explain: ScorePartsSchema.optional() }),
  ),
});

/** Response of POST /v1/memories/batch. */
export const MemoriesResponseSchema = z.object({ memories: z.array(MemorySchema) });

/** Response of GET /v1/memories/{id}/history. */
export const HistoryResponseSchema = z.object({
  versions: z.array(MemorySchema).describe("Oldest first; the last is current unless forgotten"),
});

/** Response of POST /v1/import. */
export const ImportResultSchema = z.object({
  imported: z.number().int(),
  failedCount: z.number().int(),
  failed: z.array(z.object({ line: z.number().int(), error: z.string() })).describe("At most the first 1000"),
});

/** Response of GET /v1/stats. */
export const StatsResponseSchema = z.object({
  namespaces: z.record(z.string(), z.object({ memories: z.number(), vectors: z.number() }))
    .describe("Only the namespaces the key may read"),
  embedder: z.string(),
  embedderRuntime: z.string().describe('What runs the embedder, e.g. "onnxruntime (2 threads)"'),
  engine: z.record(z.string(), z.unknown()).optional().describe("Engine figures, for admin keys only"),
});

/** Response of GET /health and GET /ready. */
export const StatusSchema = z.object({ status: z.enum(["ok", "ready", "starting", "draining"]) });

/** Every error body (RFC 9457). */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  field: z.string().optional(),
  retryAfter: z.number().optional(),
}).describe("RFC 9457 problem details");

// Compile-time proof that MemorySchema describes the library's Memory: every Memory fits the schema, and
// both have the same fields.
type Fits<A, B> = [A] extends [B] ? true : false;
type SameKeys<A, B> = Fits<keyof A, keyof B> extends true ? Fits<keyof B, keyof A> : false;
const _memoryMatches: [
  Fits<Memory, z.output<typeof MemorySchema>>,
  SameKeys<Memory, z.output<typeof MemorySchema>>,
] = [
  true,
  true,
];
void _memoryMatches;
