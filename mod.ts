/**
 * T4DM, a temporal memory system for AI agents. Until the memory layer lands, the library entry
 * exposes the storage engine, T4DX.
 *
 * @example
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
