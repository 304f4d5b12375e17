/**
 * The user-facing cursor: turns an internal stream of versions (usually a `MergingIterator`)
 * into user keys and values as of one snapshot, within optional bounds, as leveldb's `db/db_iter.cc`
 * (forward direction only).
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { type InternalIterator, MAX_SEQ, TYPE_VALUE } from "../keys.ts";
import { compareBytes } from "../util/coding.ts";
import { keyRange } from "./_key_range.ts";

/** Options of {@linkcode DbIterator}. All bounds are on user keys and combine with each other. */
export interface DbIteratorOptions {
  /** Only versions with `seq <= snapshotSeq` are visible. REQUIRES: a safe integer >= 0. */
  snapshotSeq: number;
  /** Lower bound, inclusive. Exclusive with `gt`. @default no bound */
  gte?: Uint8Array;
  /** Lower bound, exclusive. Exclusive with `gte`. @default no bound */
  gt?: Uint8Array;
  /** Upper bound, exclusive. Exclusive with `lte`. @default no bound */
  lt?: Uint8Array;
  /** Upper bound, inclusive. Exclusive with `lt`. @default no bound */
  lte?: Uint8Array;
  /** Only keys that start with these bytes. @default every key */
  prefix?: Uint8Array;
  /** Called once, by the first `close()`. @default nothing */
  onClose?: () => void;
}

/** Size of the blocks that copies are carved from; larger copies get their own allocation. */
const SLAB_MAX = 16384;

/**
 * For each user key in range, in ascending order, the newest version with `seq <= snapshotSeq`; keys whose
 * newest visible version is a tombstone are skipped. The cursor is positioned on the first such key when
 * constructed.
 *
 * Stability: `key()` and `value()` return copies (made on first call per position) that are never
 * overwritten, so they stay valid after the cursor moves or closes, whatever the inner iterator does with
 * its buffers. Small copies are views into a shared block of up to 16 KiB that this cursor only appends to
 * (one allocation per block instead of one per key); holding a copy keeps its block alive.
 *
 * Iterating with `for...of` (or spreading) starts at the current position and closes the cursor when the
 * loop ends or breaks. The manual cursor never closes by itself: call `close()`.
 *
 * Concurrency: one user at a time.
 *
 * @example Tombstones and newer versions are hidden
 * ```ts
 * import { ArrayIterator } from "./array_iterator.ts";
 * import { DbIterator } from "./db_iterator.ts";
 * import { TYPE_DELETE, TYPE_VALUE } from "../keys.ts";
 * const b = (x: number) => new Uint8Array([x]);
 * const inner = ArrayIterator.fromUnsorted([
 *   { key: b(1), seq: 1, type: TYPE_VALUE, value: b(10) },
 *   { key: b(1), seq: 3, type: TYPE_VALUE, value: b(11) }, // newer than the snapshot
 *   { key: b(2), seq: 1, type: TYPE_VALUE, value: b(20) },
 *   { key: b(2), seq: 2, type: TYPE_DELETE, value: b(0) }, // hides (2, seq 1)
 * ]);
 * const got = [...new DbIterator(inner, { snapshotSeq: 2 })].map(([k, v]) => `${k[0]}=${v[0]}`);
 * if (got.join() !== "1=10") throw new Error(`got ${got}`);
 * ```
 */
export class DbIterator implements Iterable<[Uint8Array, Uint8Array]> {
  readonly #inner: InternalIterator;
  readonly #snap: number;
  readonly #lower: Uint8Array | undefined;
  readonly #lowerExclusive: boolean;
  readonly #upper: Uint8Array | undefined;
  readonly #upperInclusive: boolean;
  #onClose: (() => void) | undefined;
  #valid = false;
  #closed = false;
  #key: Uint8Array | undefined;
  #value: Uint8Array | undefined;
  /** The user key whose remaining versions are being skipped: `#skip[0 .. #skipLen)`. */
  #skip = new Uint8Array(64);
  #skipLen = 0;
  /** Copies are carved from `#slab[#slabUsed ..]`; bytes before `#slabUsed` are never written again. */
  #slab = new Uint8Array(0);
  #slabUsed = 0;

  /**
   * @param inner The versions to read, in internal order; this cursor owns and moves it.
   * @param options See {@linkcode DbIteratorOptions}.
   * @throws {InvalidArgumentError} When `snapshotSeq` is not a safe integer >= 0, or both `gt` and
   * `gte`, or both `lt` and `lte`, are given.
   */
  constructor(inner: InternalIterator, options: DbIteratorOptions) {
    const snapshotSeq = options.snapshotSeq;
    if (!Number.isSafeInteger(snapshotSeq) || snapshotSeq < 0) {
      throw new InvalidArgumentError(
        `Cannot create iterator: snapshotSeq "${snapshotSeq}" is not a safe integer >= 0`,
      );
    }
    const range = keyRange(options);
    this.#inner = inner;
    this.#snap = snapshotSeq;
    this.#onClose = options.onClose;
    this.#lower = range.lower;
    this.#lowerExclusive = range.lowerExclusive;
    this.#upper = range.upper;
    this.#upperInclusive = range.upperInclusive;
    this.seekToFirst();
  }

  /** Whether the cursor is on a key. */
  valid(): boolean {
    return this.#valid;
  }

  /** Moves to the first key in range. @throws {InvalidArgumentError} When closed. */
  seekToFirst(): void {
    this.#seekFrom(this.#lower, this.#lowerExclusive);
  }

  /** Moves to the first key in range that is >= `key`. @throws {InvalidArgumentError} When closed. */
  seek(key: Uint8Array): void {
    const lower = this.#lower;
    const c = lower === undefined ? 1 : compareBytes(key, lower);
    if (c < 0 || (c === 0 && this.#lowerExclusive)) this.#seekFrom(lower, this.#lowerExclusive);
    else this.#seekFrom(key, false);
  }

  /** Moves to the next key in range. REQUIRES: valid(). @throws {InvalidArgumentError} When not valid. */
  next(): void {
    if (!this.#valid) throw new InvalidArgumentError("Cannot advance iterator: it is not valid");
    this.#remember(this.#inner.key());
    this.#inner.next();
    this.#settle(true);
  }

  /** A copy of the current key, owned by the caller. REQUIRES: valid(). */
  key(): Uint8Array {
    if (!this.#valid) throw new InvalidArgumentError("Cannot read key: iterator is not valid");
    return this.#key ??= this.#copy(this.#inner.key());
  }

  /** A copy of the current value, owned by the caller. REQUIRES: valid(). */
  value(): Uint8Array {
    if (!this.#valid) throw new InvalidArgumentError("Cannot read value: iterator is not valid");
    return this.#value ??= this.#copy(this.#inner.value());
  }

  /** Invalidates the cursor and calls `onClose` the first time. Idempotent. */
  close(): void {
    this.#valid = false;
    if (this.#closed) return;
    this.#closed = true;
    const onClose = this.#onClose;
    this.#onClose = undefined;
    onClose?.();
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Yields `[key, value]` copies from the current position; closes the cursor when done or abandoned. */
  [Symbol.iterator](): Iterator<[Uint8Array, Uint8Array], undefined> {
    let started = false;
    return {
      next: () => {
        if (started && this.#valid) this.next();
        started = true;
        if (!this.#valid) {
          this.close();
          return { done: true, value: undefined };
        }
        return { done: false, value: [this.key(), this.value()] };
      },
      return: () => {
        this.close();
        return { done: true, value: undefined };
      },
    };
  }

  #seekFrom(start: Uint8Array | undefined, exclusive: boolean): void {
    if (this.#closed) throw new InvalidArgumentError("Cannot seek: iterator is closed");
    if (start === undefined) {
      this.#inner.seekToFirst();
      this.#settle(false);
      return;
    }
    this.#inner.seek(start, MAX_SEQ);
    if (exclusive) this.#remember(start);
    this.#settle(exclusive);
  }

  /** A copy of `b` that nothing will overwrite. */
  #copy(b: Uint8Array): Uint8Array {
    const n = b.length;
    if (n > SLAB_MAX >>> 2) return b.slice();
    let at = this.#slabUsed;
    if (at + n > this.#slab.length) {
      // Blocks grow from 256 bytes so that short scans stay small.
      this.#slab = new Uint8Array(Math.min(SLAB_MAX, Math.max(256, n, this.#slab.length * 2)));
      at = 0;
    }
    this.#slab.set(b, at);
    this.#slabUsed = at + n;
    return this.#slab.subarray(at, at + n);
  }

  /** Copies `key` into the skip buffer without allocating unless it grows. */
  #remember(key: Uint8Array): void {
    if (key.length > this.#skip.length) {
      this.#skip = new Uint8Array(Math.max(key.length, this.#skip.length * 2));
    }
    this.#skip.set(key);
    this.#skipLen = key.length;
  }

  #isSkipped(key: Uint8Array): boolean {
    const n = this.#skipLen;
    if (key.length !== n) return false;
    const s = this.#skip;
    // From the end: keys that share a long prefix differ near their tails.
    for (let i = n - 1; i >= 0; i--) if (key[i] !== s[i]) return false;
    return true;
  }

  /**
   * Moves the inner cursor to the newest visible value of the next key in range. With `skipping`, the
   * versions of the remembered key are passed over first.
   */
  #settle(skipping: boolean): void {
    const inner = this.#inner, upper = this.#upper, snap = this.#snap;
    this.#key = this.#value = undefined;
    while (inner.valid()) {
      const k = inner.key();
      if (skipping && this.#isSkipped(k)) {
        inner.next();
        continue;
      }
      skipping = false;
      if (upper !== undefined) {
        const c = compareBytes(k, upper);
        if (c > 0 || (c === 0 && !this.#upperInclusive)) break;
      }
      if (inner.seq() > snap) {
        inner.next(); // newer than the snapshot; an older version of k may still be visible
        continue;
      }
      if (inner.type() === TYPE_VALUE) {
        this.#valid = true;
        return;
      }
      this.#remember(k); // a tombstone hides every older version of k
      skipping = true;
      inner.next();
    }
    this.#valid = false;
  }
}
