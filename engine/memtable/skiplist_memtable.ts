/**
 * The engine's memtable: a skiplist (Pugh 1990, as in leveldb's `db/skiplist.h`) over the typed-array
 * node storage of `_skiplist_arena.ts`. Keys are copied into one growing byte array; values are kept by
 * reference.
 *
 * Inserts keep a splice (the predecessor at every level of the last insert). When the next key falls right
 * after the previous one, as in sequential loads, the insert reuses it and costs two comparisons instead of
 * a search from the top.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { type InternalIterator, type LookupResult, MAX_SEQ, type RecordType } from "../keys.ts";
import { mulberry32, type Rng } from "../util/rng.ts";
import { Arena, ENTRY_OVERHEAD, HEAD, MAX_HEIGHT } from "./_skiplist_arena.ts";
import type { Memtable } from "./memtable.ts";

/** Options of {@linkcode SkipListMemtable}. */
export interface SkipListMemtableOptions {
  /**
   * Source of uniform numbers in [0, 1) that picks node heights.
   * @default mulberry32(0x5eed)
   */
  rng?: Rng;
}

/**
 * A skiplist memtable: O(log n) expected insert, lookup and seek, with max height 12 and branching
 * p = 1/4.
 *
 * Concurrency: one writer calls `add`; readers and iterators run between adds. Iterators stay valid
 * across adds (nodes are never moved or freed) and may or may not see entries added after they were
 * positioned. Keys are copied; values are kept by reference and must not be mutated afterwards.
 *
 * INVARIANT: every level is sorted in internal order and is a sublist of the level below
 * (checked by {@linkcode SkipListMemtable.checkInvariants}).
 *
 * @example Versions of a key come back newest first
 * ```ts
 * import { SkipListMemtable } from "./skiplist_memtable.ts";
 * import { TYPE_VALUE } from "../keys.ts";
 * const m = new SkipListMemtable();
 * const k = new Uint8Array([1]);
 * m.add(1, TYPE_VALUE, k, new Uint8Array([10]));
 * m.add(2, TYPE_VALUE, k, new Uint8Array([20]));
 * const it = m.iterator();
 * it.seekToFirst();
 * if (it.seq() !== 2 || m.get(k, 1)?.value[0] !== 10 || m.count !== 2) throw new Error("bad order");
 * ```
 */
export class SkipListMemtable implements Memtable {
  readonly #a = new Arena();
  readonly #rng: Rng;
  /** Predecessors of the last insert at every level; always a valid splice (see the module doc). */
  readonly #prev = new Int32Array(MAX_HEIGHT);

  /** @param options See {@linkcode SkipListMemtableOptions}. */
  constructor(options: SkipListMemtableOptions = {}) {
    this.#rng = options.rng ?? mulberry32(0x5eed);
  }

  /** The number of entries. */
  get count(): number {
    return this.#a.nodes - 1;
  }

  /** Bytes of keys and values plus 40 bytes per entry. */
  approximateBytes(): number {
    return this.#a.bytes;
  }

  /**
   * Inserts one version, copying `key` and keeping `value` by reference.
   *
   * @throws {InvalidArgumentError} When `seq` is not a safe integer >= 0 or `(key, seq)` is present.
   */
  add(seq: number, type: RecordType, key: Uint8Array, value: Uint8Array): void {
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw new InvalidArgumentError(`Cannot add to memtable: seq "${seq}" is not a safe integer >= 0`);
    }
    const a = this.#a, prev = this.#prev;
    const p0 = prev[0]!;
    let nx = a.links[a.base[p0]!]!;
    // The splice applies when prev[0] < target < its successor; then it is right at every level too.
    if (!((p0 === HEAD || a.compare(p0, key, seq) < 0) && (nx === 0 || a.compare(nx, key, seq) > 0))) {
      nx = a.findGreaterOrEqual(key, seq, prev);
      if (nx !== 0 && a.compare(nx, key, seq) === 0) {
        throw new InvalidArgumentError(`Cannot add to memtable: seq "${seq}" already holds this key`);
      }
    }
    let h = 1;
    while (h < MAX_HEIGHT && this.#rng() < 0.25) h++;
    const n = a.nodes;
    const ks = a.keyStart[n]!;
    a.grow(n + 1, a.linksUsed + h, ks + key.length);
    a.keyBytes.set(key, ks);
    a.keyStart[n + 1] = ks + key.length;
    a.values.push(value);
    a.seqs[n] = seq;
    a.types[n] = type;
    const b = a.linksUsed;
    a.base[n] = b;
    a.linksUsed = b + h;
    // Levels above the old height have HEAD in prev (nothing was there), which is their predecessor.
    if (h > a.height) a.height = h;
    const links = a.links, base = a.base;
    for (let i = 0; i < h; i++) {
      const at = base[prev[i]!]! + i;
      links[b + i] = links[at]!;
      links[at] = n;
      prev[i] = n;
    }
    a.nodes = n + 1;
    a.bytes += key.length + value.length + ENTRY_OVERHEAD;
  }

  /** The newest version of `key` with `seq <= snapshotSeq`, or `undefined`. */
  get(key: Uint8Array, snapshotSeq: number): LookupResult | undefined {
    const a = this.#a;
    const n = a.findGreaterOrEqual(key, snapshotSeq, undefined);
    // n is the first version at or after (key, snapshotSeq); it answers only if it has the same user key.
    if (n === 0 || a.compare(n, key, a.seqs[n]!) !== 0) return undefined;
    return { seq: a.seqs[n]!, type: a.types[n] as RecordType, value: a.values[n]! };
  }

  /** A new unpositioned cursor; `key()` views the key arena and `value()` is the stored array. */
  iterator(): InternalIterator {
    return new SkipListIterator(this.#a);
  }

  /**
   * Walks every level and throws if a level is out of order, holds a node missing from the level below,
   * or does not link exactly the nodes tall enough for it. O(n); for tests.
   *
   * @throws {Error} Describing the first broken invariant.
   */
  checkInvariants(): void {
    const a = this.#a;
    const want = new Array<number>(MAX_HEIGHT).fill(0); // nodes tall enough for each level
    for (let n = 1; n < a.nodes; n++) {
      const h = (n + 1 < a.nodes ? a.base[n + 1]! : a.linksUsed) - a.base[n]!;
      for (let level = 0; level < h; level++) want[level]!++;
    }
    for (let level = MAX_HEIGHT - 1; level >= 0; level--) {
      let x = a.links[a.base[HEAD]! + level]!;
      let below = level > 0 ? a.links[a.base[HEAD]! + level - 1]! : 0;
      let prev = 0, count = 0;
      while (x !== 0) {
        if (++count > want[level]!) {
          throw new Error(`Skiplist level ${level} links over ${want[level]} nodes`);
        }
        if (prev !== 0 && a.compare(prev, a.keyAt(x), a.seqs[x]!) >= 0) {
          throw new Error(`Skiplist level ${level} is out of order at node ${x}`);
        }
        if (level > 0) {
          while (below !== 0 && below !== x) below = a.links[a.base[below]! + level - 1]!;
          if (below === 0) throw new Error(`Skiplist node ${x} is on level ${level} but not ${level - 1}`);
        }
        prev = x;
        x = a.links[a.base[x]! + level]!;
      }
      if (count !== want[level]) {
        throw new Error(`Skiplist level ${level} links ${count} nodes but ${want[level]} are that tall`);
      }
    }
  }
}

class SkipListIterator implements InternalIterator {
  readonly #a: Arena;
  #n = 0;
  /** `key()` of node `#keyNode`, made once per position. */
  #key: Uint8Array | undefined;
  #keyNode = 0;
  constructor(arena: Arena) {
    this.#a = arena;
  }
  valid(): boolean {
    return this.#n !== 0;
  }
  seekToFirst(): void {
    this.#n = this.#a.links[this.#a.base[HEAD]!]!;
  }
  seek(key: Uint8Array, seq: number = MAX_SEQ): void {
    this.#n = this.#a.findGreaterOrEqual(key, seq, undefined);
  }
  next(): void {
    // Without this check an unpositioned cursor would follow the head's link back to the start.
    if (this.#n === 0) throw new InvalidArgumentError("Cannot advance memtable iterator: it is not valid");
    this.#n = this.#a.links[this.#a.base[this.#n]!]!;
  }
  key(): Uint8Array {
    if (this.#keyNode !== this.#n || this.#key === undefined) {
      this.#key = this.#a.keyAt(this.#n);
      this.#keyNode = this.#n;
    }
    return this.#key;
  }
  seq(): number {
    return this.#a.seqs[this.#n]!;
  }
  type(): RecordType {
    return this.#a.types[this.#n] as RecordType;
  }
  value(): Uint8Array {
    return this.#a.values[this.#n]!;
  }
}
