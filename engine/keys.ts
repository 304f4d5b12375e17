/**
 * Internal keys and the internal iterator contract shared by the memtable, SSTables and the merging
 * iterator.
 *
 * Every stored version of a user key carries a sequence number (`seq`, assigned by the write path, unique
 * and increasing) and a type (a value or a tombstone). Internal order is: user key ascending (bytewise),
 * then seq DESCENDING, so the newest version of a key comes first. A snapshot at seq S sees, for each
 * user key, the first version with `seq <= S`.
 *
 * @module
 */
import { compareBytes } from "./util/coding.ts";

/** ON DISK, NEVER CHANGE: the type byte of a tombstone. */
export const TYPE_DELETE = 0;
/** ON DISK, NEVER CHANGE: the type byte of a value. */
export const TYPE_VALUE = 1;
/** A record type: {@linkcode TYPE_DELETE} or {@linkcode TYPE_VALUE}. */
export type RecordType = typeof TYPE_DELETE | typeof TYPE_VALUE;

/** The largest sequence number; seeking to `(key, MAX_SEQ)` lands on the newest version of `key`. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** One version of one key. */
export interface InternalEntry {
  key: Uint8Array;
  seq: number;
  type: RecordType;
  /** Empty for tombstones. */
  value: Uint8Array;
}

/** The result of a point lookup in one layer (memtable or table). */
export interface LookupResult {
  seq: number;
  type: RecordType;
  value: Uint8Array;
}

/**
 * Compares two internal keys: user key ascending, then seq descending.
 *
 * @example The newer version sorts first
 * ```ts
 * import { compareInternal } from "./keys.ts";
 * const k = new Uint8Array([1]);
 * if (!(compareInternal(k, 9, k, 3) < 0)) throw new Error("seq 9 must sort before seq 3");
 * ```
 */
export function compareInternal(aKey: Uint8Array, aSeq: number, bKey: Uint8Array, bSeq: number): number {
  const c = compareBytes(aKey, bKey);
  if (c !== 0) return c;
  return aSeq > bSeq ? -1 : aSeq < bSeq ? 1 : 0;
}

/**
 * A cursor over internal entries in internal order. Synchronous: every layer reads from RAM or through
 * positioned reads. The views returned by `key()` and `value()` stay valid until the next move.
 *
 * Concurrency: one user at a time.
 */
export interface InternalIterator {
  /** Whether the cursor is on an entry. */
  valid(): boolean;
  /** Moves to the first entry. */
  seekToFirst(): void;
  /** Moves to the first entry at or after `(key, seq)` in internal order (`seq` defaults to MAX_SEQ). */
  seek(key: Uint8Array, seq?: number): void;
  /** Moves to the next entry. REQUIRES: valid(). */
  next(): void;
  /** The current user key. REQUIRES: valid(). */
  key(): Uint8Array;
  /** The current sequence number. REQUIRES: valid(). */
  seq(): number;
  /** The current record type. REQUIRES: valid(). */
  type(): RecordType;
  /** The current value (empty for tombstones). REQUIRES: valid(). */
  value(): Uint8Array;
}
