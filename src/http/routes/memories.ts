/**
 * Routes on single memories: store, batch store, get, update, forget, invalidate, history. Each is a
 * thin adapter over one T4DM call; read-modify-write calls on one id are serialised by the daemon.
 *
 * @module
 */
import { MemoryError } from "../../memory/errors.ts";
import { StoreInputSchema } from "../../memory/schema.ts";
import { defineRoute, json, type Limits, lockKey, type RouteDef } from "../route.ts";
import {
  batchInputSchema,
  HistoryResponseSchema,
  IdParamsSchema,
  InvalidateInputSchema,
  MemoriesResponseSchema,
  MemorySchema,
  NamespaceQuerySchema,
  UpdateInputSchema,
} from "../schemas.ts";

function notFound(action: string, id: string, ns: string): MemoryError {
  return new MemoryError(
    "NOT_FOUND",
    `Cannot ${action} memory ${JSON.stringify(id)}: no such memory in "${ns}"`,
  );
}

/** The memory routes. */
export function memoryRoutes(limits: Limits): RouteDef[] {
  const one = { params: IdParamsSchema, namespaced: true } as const;
  return [
    defineRoute({
      method: "POST",
      path: "/v1/memories",
      operationId: "storeMemory",
      summary: "Store one memory",
      description: "Embeds and stores a memory. With an `id` it replaces that memory (as an import does).",
      access: "write",
      namespaced: true,
      query: NamespaceQuerySchema,
      body: { schema: StoreInputSchema },
      responses: { 201: { description: "The stored memory", schema: MemorySchema } },
      async handle({ mem, body, namespace, locks }) {
        const input = { ...body, namespace };
        const store = () => mem.store(input);
        return json(
          await (body.id === undefined ? store() : locks.run(lockKey(namespace, body.id), store)),
          201,
        );
      },
    }),
    defineRoute({
      method: "POST",
      path: "/v1/memories/batch",
      operationId: "storeMemories",
      summary: "Store many memories",
      description: `Stores 1 to ${limits.batch} memories: one atomic write per namespace, embeddings in ` +
        "one batch. If any item is invalid nothing is stored.",
      access: "write",
      namespaced: true,
      query: NamespaceQuerySchema,
      body: { schema: batchInputSchema(limits.batch) },
      responses: {
        201: { description: "The stored memories, in input order", schema: MemoriesResponseSchema },
      },
      async handle({ mem, body, namespace, authorize }) {
        const inputs = body.memories.map((m) => ({ ...m, namespace: m.namespace ?? namespace }));
        for (const ns of new Set(inputs.map((m) => m.namespace))) authorize(ns);
        return json({ memories: await mem.storeMany(inputs) }, 201);
      },
    }),
    defineRoute({
      ...one,
      method: "GET",
      path: "/v1/memories/:id",
      operationId: "getMemory",
      summary: "Get a memory",
      access: "read",
      query: NamespaceQuerySchema,
      responses: { 200: { description: "The memory", schema: MemorySchema } },
      async handle({ mem, params, namespace }) {
        const m = await mem.get(params.id, { namespace });
        if (!m) throw notFound("get", params.id, namespace);
        return json(m);
      },
    }),
    defineRoute({
      ...one,
      method: "PATCH",
      path: "/v1/memories/:id",
      operationId: "updateMemory",
      summary: "Update a memory",
      description: "Writes a new version; the previous one stays in the history.",
      access: "write",
      query: NamespaceQuerySchema,
      body: { schema: UpdateInputSchema },
      responses: { 200: { description: "The new version", schema: MemorySchema } },
      async handle({ mem, params, body, namespace, locks }) {
        const { namespace: _, ...patch } = body;
        return json(
          await locks.run(lockKey(namespace, params.id), () => mem.update(params.id, patch, { namespace })),
        );
      },
    }),
    defineRoute({
      ...one,
      method: "DELETE",
      path: "/v1/memories/:id",
      operationId: "forgetMemory",
      summary: "Forget a memory (hard delete)",
      description: "Deletes the memory and its whole history from every index, for good.",
      access: "write",
      query: NamespaceQuerySchema,
      responses: { 204: { description: "Deleted" } },
      async handle({ mem, params, namespace, locks }) {
        const gone = await locks.run(
          lockKey(namespace, params.id),
          () => mem.forget(params.id, { namespace }),
        );
        if (!gone) throw notFound("forget", params.id, namespace);
        return new Response(null, { status: 204 });
      },
    }),
    defineRoute({
      ...one,
      method: "POST",
      path: "/v1/memories/:id/invalidate",
      operationId: "invalidateMemory",
      summary: "Invalidate a memory",
      description: "Ends the memory's validity at `at` (default now) without erasing it: recall skips it " +
        "unless asked `asOf` a time when it was valid. The body may be empty.",
      access: "write",
      query: NamespaceQuerySchema,
      body: { schema: InvalidateInputSchema, optional: true },
      responses: { 200: { description: "The new version", schema: MemorySchema } },
      async handle({ mem, params, body, namespace, locks }) {
        const o = body.at === undefined ? { namespace } : { namespace, at: body.at };
        return json(await locks.run(lockKey(namespace, params.id), () => mem.invalidate(params.id, o)));
      },
    }),
    defineRoute({
      ...one,
      method: "GET",
      path: "/v1/memories/:id/history",
      operationId: "memoryHistory",
      summary: "A memory's versions",
      access: "read",
      query: NamespaceQuerySchema,
      responses: { 200: { description: "Every version, oldest first", schema: HistoryResponseSchema } },
      async handle({ mem, params, namespace }) {
        const versions = await mem.history(params.id, { namespace });
        if (versions.length === 0) throw notFound("read the history of", params.id, namespace);
        return json({ versions });
      },
    }),
  ];
}
