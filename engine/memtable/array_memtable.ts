/**
 * A reference memtable: a sorted array of entries with binary-search insertion. O(n) per insert, so it is
 * for tests only; the conformance suite holds `SkipListMemtable` to the same answers.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import {
  compareInternal,
  type InternalEntry,
  type InternalIterator,
  type LookupResult,
  MAX_SEQ,
  type RecordType,
} from "../keys.ts";
import { compareBytes } from "../util/coding.ts";
import type { Memtable } from "./memtable.ts";

/** Entries in internal order and a counter bumped by every insert, shared with iterators. */
interface State {
  entries: InternalEntry[];
  version: number;
}

/** Index of the first entry at or after `(key, seq)` in internal order. */
function lowerBound(entries: readonly InternalEntry[], key: Uint8Array, seq: number): number {
  let lo = 0, hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = entries[mid]!;
    if (compareInternal(e.key, e.seq, key, seq) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A memtable over one sorted array. Same contract as `SkipListMemtable`.
 *
 * Concurrency: one writer calls `add`; readers and iterators run between adds. An insert shifts indices,
 * so an iterator notices the changed version and finds its entry again before moving on.
 *
 * @example Tombstones are returned by get
 * ```ts
 * import { ArrayMemtable } from "./array_memtable.ts";
 * import { TYPE_DELETE, TYPE_VALUE } from "../keys.ts";
 * const m = new ArrayMemtable();
 * const k = new Uint8Array([3]);
 * m.add(5, TYPE_VALUE, k, new Uint8Array([1]));
 * m.add(6, TYPE_DELETE, k, new Uint8Array());
 * if (m.get(k, 6)?.type !== TYPE_DELETE || m.get(k, 4) !== undefined) throw new Error("bad lookup");
 * ```
 */
export class ArrayMemtable implements Memtable {
  readonly #s: State = { entries: [], version: 0 };
  #bytes = 0;

  /** The number of entries. */
  get count(): number {
    return this.#s.entries.length;
  }

  /** Bytes of keys and values plus 40 bytes per entry, as `SkipListMemtable` counts. */
  approximateBytes(): number {
    return this.#bytes;
  }

  /**
   * Inserts one version, keeping `key` and `value` by reference.
   *
   * @throws {InvalidArgumentError} When `seq` is not a safe integer >= 0 or `(key, seq)` is present.
   */
  add(seq: number, type: RecordType, key: Uint8Array, value: Uint8Array): void {
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw new InvalidArgumentError(`Cannot add to memtable: seq "${seq}" is not a safe integer >= 0`);
    }
    const entries = this.#s.entries;
    const i = lowerBound(entries, key, seq);
    const at = entries[i];
    if (at !== undefined && at.seq === seq && compareBytes(at.key, key) === 0) {
      throw new InvalidArgumentError(`Cannot add to memtable: seq "${seq}" already holds this key`);
    }
    entries.splice(i, 0, { key, seq, type, value });
    this.#s.version++;
    this.#bytes += key.length + value.length + 40;
  }

  /** The newest version of `key` with `seq <= snapshotSeq`, or `undefined`. */
  get(key: Uint8Array, snapshotSeq: number): LookupResult | undefined {
    const e = this.#s.entries[lowerBound(this.#s.entries, key, snapshotSeq)];
    if (e === undefined || compareBytes(e.key, key) !== 0) return undefined;
    return { seq: e.seq, type: e.type, value: e.value };
  }

  /** A new unpositioned cursor; `key()` and `value()` return the stored arrays. */
  iterator(): InternalIterator {
    return new ArrayMemtableIterator(this.#s);
  }

  /**
   * Throws if the entries are not strictly increasing in internal order. O(n); for tests.
   *
   * @throws {Error} Naming the first entry out of order.
   */
  checkInvariants(): void {
    const e = this.#s.entries;
    for (let i = 1; i < e.length; i++) {
      if (compareInternal(e[i - 1]!.key, e[i - 1]!.seq, e[i]!.key, e[i]!.seq) >= 0) {
        throw new Error(`Array memtable entry ${i} is out of order`);
      }
    }
  }
}

class ArrayMemtableIterator implements InternalIterator {
  readonly #s: State;
  #i = 0;
  #version = -1;
  #cur: InternalEntry | undefined;
  constructor(state: State) {
    this.#s = state;
  }
  #moveTo(i: number): void {
    this.#i = i;
    this.#version = this.#s.version;
    this.#cur = this.#s.entries[i];
  }
  valid(): boolean {
    return this.#cur !== undefined;
  }
  seekToFirst(): void {
    this.#moveTo(0);
  }
  seek(key: Uint8Array, seq: number = MAX_SEQ): void {
    this.#moveTo(lowerBound(this.#s.entries, key, seq));
  }
  next(): void {
    const cur = this.#cur;
    if (cur === undefined) {
      throw new InvalidArgumentError("Cannot advance memtable iterator: it is not valid");
    }
    // Entries are never removed, so after inserts the current one is found again at its lower bound.
    const i = this.#version === this.#s.version ? this.#i : lowerBound(this.#s.entries, cur.key, cur.seq);
    this.#moveTo(i + 1);
  }
  key(): Uint8Array {
    return this.#cur!.key;
  }
  seq(): number {
    return this.#cur!.seq;
  }
  type(): RecordType {
    return this.#cur!.type;
  }
  value(): Uint8Array {
    return this.#cur!.value;
  }
}
