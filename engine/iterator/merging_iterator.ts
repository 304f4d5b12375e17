/**
 * The merging iterator: one sorted stream out of several (the memtables and the tables of every level),
 * as leveldb's `table/merger.cc`, but with a binary min-heap of child indices instead of a linear scan,
 * so that a step costs O(log n) comparisons.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { type InternalIterator, MAX_SEQ, type RecordType } from "../keys.ts";
import { compareBytes } from "../util/coding.ts";

/**
 * Merges children in internal order. Versions are not collapsed: every entry of every child comes out
 * once. Equal `(key, seq)` pairs should not occur; if they do, the child with the lower index comes
 * first. `key()` and `value()` are the current child's views, valid until the next move.
 *
 * Concurrency: one user at a time; it owns its children and moves them.
 *
 * INVARIANT: `#heap[0 .. #size)` holds exactly the valid children, as a min-heap on
 * `(key, -seq, child index)`, and `#keys[i]`/`#seqs[i]` are child `i`'s current key and seq.
 *
 * @example Two sorted runs become one
 * ```ts
 * import { ArrayIterator } from "./array_iterator.ts";
 * import { MergingIterator } from "./merging_iterator.ts";
 * import { type InternalEntry, TYPE_VALUE } from "../keys.ts";
 * const e = (k: number, seq: number): InternalEntry => ({ key: new Uint8Array([k]), seq, type: TYPE_VALUE, value: new Uint8Array() });
 * const it = new MergingIterator([new ArrayIterator([e(1, 1), e(3, 3)]), new ArrayIterator([e(2, 2)])]);
 * const keys: number[] = [];
 * for (it.seekToFirst(); it.valid(); it.next()) keys.push(it.key()[0]!);
 * if (keys.join() !== "1,2,3") throw new Error(`got ${keys}`);
 * ```
 */
export class MergingIterator implements InternalIterator {
  readonly #children: readonly InternalIterator[];
  readonly #heap: Int32Array;
  #size = 0;
  readonly #keys: Uint8Array[];
  readonly #seqs: Float64Array;

  /** Starts unpositioned; call `seek` or `seekToFirst`. */
  constructor(children: readonly InternalIterator[]) {
    this.#children = children.slice();
    this.#heap = new Int32Array(children.length);
    this.#keys = children.map(() => new Uint8Array(0));
    this.#seqs = new Float64Array(children.length);
  }

  /** Whether child `a` comes before child `b`. */
  #less(a: number, b: number): boolean {
    const c = compareBytes(this.#keys[a]!, this.#keys[b]!);
    if (c !== 0) return c < 0;
    const sa = this.#seqs[a]!, sb = this.#seqs[b]!;
    return sa !== sb ? sa > sb : a < b;
  }

  #siftDown(pos: number): void {
    const heap = this.#heap, size = this.#size;
    const child = heap[pos]!;
    for (;;) {
      let c = 2 * pos + 1;
      if (c >= size) break;
      if (c + 1 < size && this.#less(heap[c + 1]!, heap[c]!)) c++;
      if (!this.#less(heap[c]!, child)) break;
      heap[pos] = heap[c]!;
      pos = c;
    }
    heap[pos] = child;
  }

  /** Rebuilds the heap from the children's positions. */
  #rebuild(): void {
    let size = 0;
    for (let i = 0; i < this.#children.length; i++) {
      const c = this.#children[i]!;
      if (!c.valid()) continue;
      this.#keys[i] = c.key();
      this.#seqs[i] = c.seq();
      this.#heap[size++] = i;
    }
    this.#size = size;
    for (let p = (size >>> 1) - 1; p >= 0; p--) this.#siftDown(p);
  }

  valid(): boolean {
    return this.#size > 0;
  }
  seekToFirst(): void {
    for (const c of this.#children) c.seekToFirst();
    this.#rebuild();
  }
  seek(key: Uint8Array, seq: number = MAX_SEQ): void {
    for (const c of this.#children) c.seek(key, seq);
    this.#rebuild();
  }
  next(): void {
    if (this.#size === 0) throw new InvalidArgumentError("Cannot advance merging iterator: it is not valid");
    const top = this.#heap[0]!;
    const c = this.#children[top]!;
    c.next();
    if (c.valid()) {
      this.#keys[top] = c.key();
      this.#seqs[top] = c.seq();
    } else {
      this.#heap[0] = this.#heap[--this.#size]!;
    }
    if (this.#size > 1) this.#siftDown(0);
  }
  key(): Uint8Array {
    return this.#keys[this.#heap[0]!]!;
  }
  seq(): number {
    return this.#seqs[this.#heap[0]!]!;
  }
  type(): RecordType {
    return this.#children[this.#heap[0]!]!.type();
  }
  value(): Uint8Array {
    return this.#children[this.#heap[0]!]!.value();
  }
}
