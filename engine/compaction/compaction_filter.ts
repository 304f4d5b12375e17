/**
 * The compaction-filter hook: a callback that sees each live value as compaction rewrites it and may
 * keep, drop or rewrite it, or emit new records. The memory layer implements consolidation with it
 * (fading, merging episodes into semantic records) without the engine knowing what a memory is.
 *
 * @module
 */

/** What the filter sees: the newest version of one key, visible to every open snapshot. */
export interface FilterEntry {
  /** The user key. Do not mutate. */
  readonly key: Uint8Array;
  /** The stored value. Do not mutate. */
  readonly value: Uint8Array;
  /** The sequence number of this version. */
  readonly seq: number;
  /** The level the compaction writes to. */
  readonly level: number;
}

/** A filter's verdict on one entry. */
export type FilterDecision =
  | { action: "keep"; emit?: readonly EmittedRecord[] }
  | { action: "drop"; emit?: readonly EmittedRecord[] }
  | { action: "rewrite"; value: Uint8Array; emit?: readonly EmittedRecord[] };

/**
 * A record the filter asks the engine to write. Emitted records go through the ordinary write path
 * (WAL, new sequence numbers) once the compaction is installed, so they are durable and ordered after
 * everything the compaction saw. `value: undefined` writes a tombstone.
 */
export interface EmittedRecord {
  key: Uint8Array;
  value: Uint8Array | undefined;
}

/**
 * The hook. Called synchronously, once per key per compaction, in key order. Must be deterministic
 * for a given entry (a compaction may be retried after a crash). A throw aborts the compaction and is
 * reported as a background error; the inputs stay live, so nothing is lost.
 *
 * A dropped value is removed for good: when an older version of the key may still exist in a deeper
 * level, the engine writes a tombstone in its place so the older version cannot resurface.
 *
 * @example Drop every key that starts with "tmp/"
 * ```ts
 * import type { CompactionFilter } from "./compaction_filter.ts";
 * const filter: CompactionFilter = (e) => e.key[0] === 0x74 && new TextDecoder().decode(e.key).startsWith("tmp/")
 *   ? { action: "drop" }
 *   : { action: "keep" };
 * const verdict = filter({ key: new TextEncoder().encode("tmp/x"), value: new Uint8Array(), seq: 1, level: 1 });
 * if (verdict.action !== "drop") throw new Error("expected a drop");
 * ```
 */
export type CompactionFilter = (entry: FilterEntry) => FilterDecision;
