/**
 * An {@linkcode InternalIterator} over an array of entries already in internal order: a building block
 * for tests, and for layers that hold a small sorted run in memory.
 *
 * @module
 */
import {
  compareInternal,
  type InternalEntry,
  type InternalIterator,
  MAX_SEQ,
  type RecordType,
} from "../keys.ts";
import { InvalidArgumentError } from "../errors.ts";

/**
 * A cursor over a sorted array. `key()` and `value()` return the entries' own arrays.
 *
 * Concurrency: one user at a time; the array must not change while the cursor is in use.
 *
 * REQUIRES: `entries` is strictly increasing in internal order (user key ascending, then seq
 * descending); {@linkcode ArrayIterator.fromUnsorted} sorts a copy for you.
 *
 * @example Seek to the newest version of a key
 * ```ts
 * import { ArrayIterator } from "./array_iterator.ts";
 * import { TYPE_VALUE } from "../keys.ts";
 * const k = (b: number) => new Uint8Array([b]);
 * const it = ArrayIterator.fromUnsorted([
 *   { key: k(2), seq: 1, type: TYPE_VALUE, value: k(0) },
 *   { key: k(2), seq: 5, type: TYPE_VALUE, value: k(0) },
 *   { key: k(1), seq: 9, type: TYPE_VALUE, value: k(0) },
 * ]);
 * it.seek(k(2));
 * if (!it.valid() || it.seq() !== 5) throw new Error("expected (2, seq 5)");
 * ```
 */
export class ArrayIterator implements InternalIterator {
  readonly #entries: readonly InternalEntry[];
  #i: number;

  /** Starts unpositioned; call `seek` or `seekToFirst`. REQUIRES: `entries` sorted in internal order. */
  constructor(entries: readonly InternalEntry[]) {
    this.#entries = entries;
    this.#i = entries.length;
  }

  /** An iterator over a sorted copy of `entries`. */
  static fromUnsorted(entries: readonly InternalEntry[]): ArrayIterator {
    return new ArrayIterator(entries.slice().sort((a, b) => compareInternal(a.key, a.seq, b.key, b.seq)));
  }

  valid(): boolean {
    return this.#i < this.#entries.length;
  }
  seekToFirst(): void {
    this.#i = 0;
  }
  seek(key: Uint8Array, seq: number = MAX_SEQ): void {
    const e = this.#entries;
    let lo = 0, hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareInternal(e[mid]!.key, e[mid]!.seq, key, seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.#i = lo;
  }
  next(): void {
    if (this.#i >= this.#entries.length) {
      throw new InvalidArgumentError("Cannot advance iterator: it is not valid");
    }
    this.#i++;
  }
  key(): Uint8Array {
    return this.#entries[this.#i]!.key;
  }
  seq(): number {
    return this.#entries[this.#i]!.seq;
  }
  type(): RecordType {
    return this.#entries[this.#i]!.type;
  }
  value(): Uint8Array {
    return this.#entries[this.#i]!.value;
  }
}
