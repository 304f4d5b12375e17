/**
 * T4DM, a temporal memory system for AI agents: the memory library ({@linkcode T4DM}), the HTTP client
 * ({@linkcode T4DMClient}), the embedders, and the storage engine T4DX.
 *
 * @example The storage engine
 * ```ts
 * import { T4DX } from "./mod.ts";
 * const dir = Deno.makeTempDirSync();
 * const db = await T4DX.open(dir);
 * await db.put("k", "v");
 * if (db.getString("k") !== "v") throw new Error("lost");
 * await db.close();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */
export * from "./engine/mod.ts";
export { type MemoryStats, type RecallResult, T4DM, type T4DMOptions } from "./src/memory/t4dm.ts";
export type { Kind, Memory, RecallOptions, StoreInput, UpdatePatch } from "./src/memory/schema.ts";
export { mapError, MemoryError, type MemoryErrorCode } from "./src/memory/errors.ts";
export { IndexedStore, type IndexedStoreOptions } from "./engine/indexes/indexed_store.ts";
export type { Collection, CollectionOptions } from "./engine/indexes/collection.ts";
export {
  ForbiddenError,
  NotFoundError as HttpNotFoundError,
  RateLimitedError,
  T4DMClient,
  type T4DMClientOptions,
  T4DMHttpError,
  T4DMTimeoutError,
  UnauthorizedError,
  ValidationError,
} from "./src/sdk/mod.ts";
export {
  CachedEmbedder,
  type Embedder,
  loadUseLite,
  OnnxEmbedder,
  UseEmbedder,
  UseOnnxEmbedder,
} from "./cortex/mod.ts";
