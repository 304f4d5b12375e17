/**
 * Recall and feedback routes.
 *
 * @module
 */
import { MemoryError } from "../../memory/errors.ts";
import { RecallOptionsSchema } from "../../memory/schema.ts";
import { defineRoute, json, lockKey, type RouteDef } from "../route.ts";
import {
  FeedbackInputSchema,
  FeedbackResultSchema,
  NamespaceQuerySchema,
  RecallResponseSchema,
} from "../schemas.ts";

/** The recall and feedback routes. */
export function recallRoutes(): RouteDef[] {
  return [
    defineRoute({
      method: "POST",
      path: "/v1/recall",
      operationId: "recall",
      summary: "Recall memories",
      description: "Ranks the namespace's memories for `query`, fusing meaning (vectors), words (BM25) and " +
        "time; filters by session, kinds, tags, metadata, event-time window or natural-language `when`. " +
        "Read-only apart from access counts.",
      access: "read",
      namespaced: true,
      query: NamespaceQuerySchema,
      body: { schema: RecallOptionsSchema },
      responses: { 200: { description: "Best first", schema: RecallResponseSchema } },
      async handle({ mem, body, namespace }) {
        return json({ results: await mem.recall({ ...body, namespace }) });
      },
    }),
    defineRoute({
      method: "POST",
      path: "/v1/feedback",
      operationId: "feedback",
      summary: "Say whether a recalled memory was useful",
      description: "Moves the memory's importance up (useful) or down (not useful) by the store's feedback " +
        "step (0.1 by default), clamped to 0..1, through the library's `feedback`. Importance feeds the " +
        "recall ranking. Not a new version: the content is unchanged. Concurrent feedback all counts.",
      access: "write",
      namespaced: true,
      query: NamespaceQuerySchema,
      body: { schema: FeedbackInputSchema },
      responses: {
        200: { description: "The memory and its importance before and after", schema: FeedbackResultSchema },
      },
      async handle({ mem, body, namespace, locks }) {
        const { id, useful } = body;
        // Under the memory's lock, so that an update cannot slip between the read and the write.
        return json(
          await locks.run(lockKey(namespace, id), async () => {
            const before = await mem.get(id, { namespace });
            if (!before) {
              throw new MemoryError(
                "NOT_FOUND",
                `Cannot give feedback on memory ${JSON.stringify(id)}: no such memory in "${namespace}"`,
              );
            }
            const memory = await mem.feedback(id, useful, { namespace });
            return { memory, previousImportance: before.importance, importance: memory.importance };
          }),
        );
      },
    }),
  ];
}
