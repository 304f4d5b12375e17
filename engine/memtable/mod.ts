/**
 * The memtable: the sorted in-memory layer every write lands in before a flush. `SkipListMemtable` is the
 * one the engine uses; `ArrayMemtable` is a plain sorted array kept as the reference that the shared
 * conformance suite compares it with.
 *
 * @example Write versions and read at a snapshot
 * ```ts
 * import { SkipListMemtable } from "./mod.ts";
 * import { TYPE_VALUE } from "../keys.ts";
 * const m = new SkipListMemtable();
 * const k = new TextEncoder().encode("a");
 * m.add(1, TYPE_VALUE, k, new Uint8Array([1]));
 * m.add(2, TYPE_VALUE, k, new Uint8Array([2]));
 * if (m.get(k, 1)?.value[0] !== 1) throw new Error("snapshot 1 must see the first version");
 * ```
 *
 * @module
 */
export type { Memtable } from "./memtable.ts";
export { SkipListMemtable, type SkipListMemtableOptions } from "./skiplist_memtable.ts";
export { ArrayMemtable } from "./array_memtable.ts";
