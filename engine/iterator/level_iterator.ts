/**
 * An iterator over one level >= 1: its tables have disjoint, sorted key ranges, so it walks them one
 * after another, opening each only when reached.
 *
 * @module
 */
import type { InternalIterator, RecordType } from "../keys.ts";
import { MAX_SEQ } from "../keys.ts";
import type { FileMeta } from "../manifest/version_edit.ts";
import { compareBytes } from "../util/coding.ts";

/**
 * Concatenation of the tables of one sorted level.
 *
 * Concurrency: one user at a time.
 *
 * @example Walk an empty level
 * ```ts
 * import { LevelIterator } from "./level_iterator.ts";
 * const it = new LevelIterator([], () => { throw new Error("never opened"); });
 * it.seekToFirst();
 * if (it.valid()) throw new Error("an empty level has no entries");
 * ```
 */
export class LevelIterator implements InternalIterator {
  readonly #files: readonly FileMeta[];
  readonly #open: (n: number) => InternalIterator;
  #index = -1;
  #cur: InternalIterator | undefined;

  /** `open(n)` returns an iterator over table number `n`. */
  constructor(files: readonly FileMeta[], open: (n: number) => InternalIterator) {
    this.#files = files;
    this.#open = open;
  }

  #at(i: number): void {
    this.#index = i;
    this.#cur = i < this.#files.length ? this.#open(this.#files[i]!.number) : undefined;
  }
  #skipEmpty(): void {
    while (this.#cur && !this.#cur.valid()) {
      this.#at(this.#index + 1);
      this.#cur?.seekToFirst();
    }
  }
  valid(): boolean {
    return this.#cur !== undefined && this.#cur.valid();
  }
  seekToFirst(): void {
    this.#at(0);
    this.#cur?.seekToFirst();
    this.#skipEmpty();
  }
  seek(key: Uint8Array, seq: number = MAX_SEQ): void {
    let lo = 0;
    let hi = this.#files.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(this.#files[mid]!.largestKey, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.#at(lo);
    this.#cur?.seek(key, seq);
    this.#skipEmpty();
  }
  next(): void {
    this.#cur!.next();
    this.#skipEmpty();
  }
  key(): Uint8Array {
    return this.#cur!.key();
  }
  seq(): number {
    return this.#cur!.seq();
  }
  type(): RecordType {
    return this.#cur!.type();
  }
  value(): Uint8Array {
    return this.#cur!.value();
  }
}
