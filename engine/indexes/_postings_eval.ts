/**
 * How a prepared lexical query is evaluated (lexical_index.ts): record ids are numbered once, by an
 * {@linkcode IdTable}, so that a query sums its terms' BM25 shares into an array indexed by that number
 * instead of merging the terms' postings lists by id bytes; then a bounded heap picks the best k.
 *
 * @module
 */

const dec = new TextDecoder();

/**
 * Record ids by number, for postings lists held as numbers. Numbers are dense from 0 and never reused;
 * an id keeps its number until the table is dropped (the index then starts a new one).
 *
 * INVARIANT: `ids[n]` is the id numbered n; `bytes` estimates the table's RAM; `plain` is true when no id
 * holds a code unit at or above U+D800, so that comparing ids as JS strings gives their byte order.
 */
export class IdTable {
  /** The id of each number. */
  readonly ids: string[] = [];
  readonly #numbers = new Map<string, number>();
  /** Estimated RAM of the table. */
  bytes = 0;
  /** Whether `<` on two of its ids gives their UTF-8 byte order. */
  plain = true;

  /** The number of `id`, given it now if it has none. */
  number(id: string): number {
    let n = this.#numbers.get(id);
    if (n === undefined) {
      n = this.ids.length;
      this.ids.push(id);
      this.#numbers.set(id, n);
      this.bytes += 2 * id.length + 64;
      if (this.plain) {
        for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) >= 0xd800) this.plain = false;
      }
    }
    return n;
  }

  /** The number of `id`, or -1 when it has none. */
  find(id: string): number {
    return this.#numbers.get(id) ?? -1;
  }

  /** How many ids are numbered. */
  get size(): number {
    return this.ids.length;
  }
}

/**
 * The id of a posting key's id bytes (UTF-8). Ids are mostly ASCII, for which building the string
 * directly is several times faster than a call into the runtime's decoder.
 */
export function decodeId(bytes: Uint8Array): string {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) return dec.decode(bytes);
  }
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/**
 * Compares two ids in the order of their UTF-8 bytes (the store's key order), which is code point order.
 * UTF-16 code units give that order too except that a surrogate (half of a code point above U+FFFF) sorts
 * below U+E000–U+FFFF; the first differing units are mapped to fix that.
 *
 * @example
 * ```ts
 * import { compareIds } from "./_postings_eval.ts";
 * const bytes = (s: string) => [...new TextEncoder().encode(s)].join();
 * if (!(compareIds("a\u{10000}", "a\uffff") > 0 && compareIds("ab", "abc") < 0 && compareIds("b", "a") > 0)) {
 *   throw new Error(`not byte order: ${bytes("\u{10000}")} vs ${bytes("\uffff")}`);
 * }
 * ```
 */
export function compareIds(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** A UTF-16 code unit moved so that surrogates sort above U+E000–U+FFFF. */
function codePointRank(u: number): number {
  return u < 0xd800 ? u : u < 0xe000 ? u + 0x2000 : u - 0x800;
}

/** {@linkcode compareIds} for ids without code units at or above U+D800: the runtime's string order. */
function comparePlainIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One query term's postings as columns, in id order, with the term's BM25 scorer. */
export interface TermPostings {
  /** Record numbers in the query's {@linkcode IdTable}, in the order of the ids' bytes. */
  docs: Int32Array;
  tfs: Float64Array;
  lens: Float64Array;
  /** The term's BM25 share of a record, from its tf and length. */
  score: (tf: number, docLen: number) => number;
}

/** Record lengths below this get their tf-1 share worked out once per list (most postings have tf 1). */
const ONCE_LENGTHS = 256;

/**
 * Per-record sums of one evaluation, indexed by record number. Reused across evaluations: `stamp[n]`
 * equal to the current `gen` marks the entries this evaluation wrote.
 */
export class Scratch {
  sums = new Float64Array(0);
  stamp = new Uint32Array(0);
  /**
   * The records this evaluation touched, in first-touch order; `count` of them. Those first touched by
   * one list form a run, `touched[runEnds[r - 1] .. runEnds[r])` for list r, in ascending id order.
   */
  touched = new Int32Array(0);
  count = 0;
  runEnds: number[] = [];
  gen = 0;
  /** True while an evaluation reads it (a filter could start another: it then gets a scratch of its own). */
  busy = false;
  /** Whose sums it holds, and as of which `gen`: they are still valid while `gen` has not moved. */
  owner: unknown = undefined;
  ownerGen = -1;
  /** Room for {@linkcode accumulate}'s shares of tf 1 by record length. */
  readonly once = new Float64Array(ONCE_LENGTHS);

  /** Prepares for an evaluation over record numbers below `size`. */
  begin(size: number): void {
    if (this.sums.length < size) {
      const cap = Math.max(size, 2 * this.sums.length, 1024);
      this.sums = new Float64Array(cap);
      this.stamp = new Uint32Array(cap);
      this.touched = new Int32Array(cap);
      this.gen = 0;
    }
    if (++this.gen === 0x100000000) {
      this.stamp.fill(0);
      this.gen = 1;
    }
    this.count = 0;
    this.runEnds = [];
  }
}

/**
 * Sums every record's shares over `lists`, in list order, into `s` (which `begin` prepared). A record's
 * sum starts at 0 and adds its share of each list that holds it, in list order: bit-equal whichever way
 * the lists are walked, as long as that order holds.
 */
export function accumulate(lists: readonly TermPostings[], s: Scratch): void {
  const { sums, stamp, touched, gen } = s;
  let count = s.count;
  const once = s.once;
  for (const l of lists) {
    const { docs, tfs, lens, score } = l;
    once.fill(NaN); // the share of tf 1 by record length, worked out once per list
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i]!, tf = tfs[i]!, len = lens[i]!;
      let share;
      if (tf === 1 && len < ONCE_LENGTHS) {
        share = once[len]!;
        if (share !== share) share = once[len] = score(1, len);
      } else {
        share = score(tf, len);
      }
      let sum = 0;
      if (stamp[d] !== gen) {
        stamp[d] = gen;
        touched[count++] = d;
      } else {
        sum = sums[d]!;
      }
      sums[d] = sum + share;
    }
    s.runEnds.push(count);
  }
  s.count = count;
}

/** A candidate of {@linkcode selectTop}: a record, its sum, and its run and place in `touched`. */
interface Pick {
  doc: number;
  score: number;
  run: number;
  at: number;
}

/**
 * The `k` best records of an accumulated scratch that pass `filter`: higher sum first, then lower id
 * bytes. `filter` runs only on records that would enter the heap of the best k so far: the same answer as
 * filtering first, since a record that cannot beat the k-th best seen so far can never rank. Two records
 * of one run compare by their places in it, which is their id order, without comparing the ids.
 */
export function selectTop(
  s: Scratch,
  table: IdTable,
  k: number,
  filter: ((id: string) => boolean) | undefined,
): { id: string; score: number }[] {
  const { sums, touched, runEnds } = s;
  const ids = table.ids;
  const compare = table.plain ? comparePlainIds : compareIds;
  const before = (a: Pick, b: Pick) =>
    a.score > b.score ||
    (a.score === b.score && (a.run === b.run ? a.at < b.at : compare(ids[a.doc]!, ids[b.doc]!) < 0));
  const heap: Pick[] = []; // the root ranks last
  let at = 0;
  for (let run = 0; run < runEnds.length; run++) {
    for (const end = runEnds[run]!; at < end; at++) {
      const doc = touched[at]!;
      const score = sums[doc]!;
      if (heap.length === k) {
        // Inlined `before(this, last)`, false for most records. Of one run, the later has the higher id.
        const last = heap[0]!;
        if (
          score < last.score ||
          (score === last.score && (last.run === run || compare(ids[doc]!, ids[last.doc]!) >= 0))
        ) continue;
      }
      if (filter !== undefined && !filter(ids[doc]!)) continue;
      const p = { doc, score, run, at };
      if (heap.length < k) {
        heap.push(p);
        siftUp(heap, heap.length - 1, before);
      } else {
        heap[0] = p;
        siftDown(heap, 0, before);
      }
    }
  }
  heap.sort((a, b) => (before(a, b) ? -1 : 1));
  return heap.map((p) => ({ id: ids[p.doc]!, score: p.score }));
}

type Before = (a: Pick, b: Pick) => boolean;

/** Heap order: a parent ranks after (is worse than) its children. */
function siftUp(h: Pick[], i: number, before: Before): void {
  const x = h[i]!;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(h[p]!, x)) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = x;
}

function siftDown(h: Pick[], i: number, before: Before): void {
  const x = h[i]!, n = h.length;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && before(h[c]!, h[c + 1]!)) c++; // the worse child
    if (!before(x, h[c]!)) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = x;
}
