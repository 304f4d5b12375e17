/**
 * The memtable contract: the sorted in-memory layer that receives every write before it is flushed to an
 * SSTable. Two implementations share it and one conformance suite
 * (`memtable_conformance_test.ts`): `SkipListMemtable`, the one the engine uses, and
 * `ArrayMemtable`, a plain sorted array kept as the reference.
 *
 * @module
 */
import type { InternalIterator, LookupResult, RecordType } from "../keys.ts";

/**
 * A sorted, append-only set of internal entries (user key ascending, then seq descending).
 *
 * Concurrency: a single writer calls `add`; any number of readers may call `get` and use iterators
 * between adds. An iterator created earlier stays valid and sees a consistent, sorted sequence while later
 * adds happen: it may or may not see entries added after it was created (snapshot filtering by seq
 * happens above, in `DbIterator`).
 *
 * INVARIANT: no two entries share both key and seq.
 *
 * @example Any implementation answers snapshot reads
 * ```ts
 * import type { Memtable } from "./memtable.ts";
 * import { ArrayMemtable } from "./array_memtable.ts";
 * import { TYPE_DELETE, TYPE_VALUE } from "../keys.ts";
 * const m: Memtable = new ArrayMemtable();
 * const k = new Uint8Array([7]);
 * m.add(1, TYPE_VALUE, k, new Uint8Array([1]));
 * m.add(2, TYPE_DELETE, k, new Uint8Array());
 * if (m.get(k, 1)?.type !== TYPE_VALUE || m.get(k, 5)?.type !== TYPE_DELETE) throw new Error("bad");
 * ```
 */
export interface Memtable {
  /**
   * Inserts one version. The memtable takes ownership of `key` and `value`: it may keep references to
   * them instead of copying (the skiplist copies keys and keeps values), so the caller must never mutate
   * them afterwards.
   *
   * REQUIRES: `seq` is a safe integer >= 0 and `(key, seq)` is not already present.
   *
   * @throws {InvalidArgumentError} When `seq` is not a safe non-negative integer or `(key, seq)` exists.
   */
  add(seq: number, type: RecordType, key: Uint8Array, value: Uint8Array): void;
  /**
   * The newest version of `key` with `seq <= snapshotSeq`, tombstones included, or `undefined` when the
   * memtable holds no such version. The returned `value` is the stored array itself: do not mutate it.
   */
  get(key: Uint8Array, snapshotSeq: number): LookupResult | undefined;
  /**
   * A new unpositioned cursor over all entries in internal order; call `seek` or `seekToFirst` first.
   * The arrays its `key()` and `value()` return are never overwritten: they stay valid and unchanged
   * for as long as the caller holds them, not just until the next move.
   */
  iterator(): InternalIterator;
  /** The number of entries (versions, tombstones included). */
  readonly count: number;
  /** Bytes of keys and values plus a fixed per-entry overhead; the flush trigger compares against it. */
  approximateBytes(): number;
}
