/**
 * The lexical index of a collection: one posting per (term, record), scored with BM25.
 *
 * Byte layout of one posting (ON DISK, NEVER CHANGE; rationale in `engine/docs/formats/postings.md`):
 *
 * | part  | field      | size   | encoding        | notes                                                |
 * |-------|------------|--------|-----------------|------------------------------------------------------|
 * | key   | prefix     | n + 2  | bytes           | `02 <collection> 00`, see `keyspace.ts`              |
 * | key   | space      | 1      | `'p'` (0x70)    | `SPACE.posting`                                      |
 * | key   | term       | varies | UTF-8, no NUL   | a {@linkcode tokenize} term, at most 64 code points   |
 * | key   | separator  | 1      | 0x00            | ends the term; terms never hold NUL                  |
 * | key   | id         | 1–512  | UTF-8, no NUL   | the record id, to the end of the key                 |
 * | value | tf         | 1–8    | LEB128 varint   | occurrences of the term in the record, >= 1          |
 * | value | doc length | 1–8    | LEB128 varint   | token count of the record's text, >= tf              |
 * | value | (reserved) | rest   | —               | readers ignore trailing bytes; future fields go here |
 *
 * No checksum of its own: the WAL record and the SSTable block that carry a posting are checksummed.
 *
 * Worked example: collection "notes", record "m1" whose text has 300 tokens, two of them "café". The key is
 * `02 6e 6f 74 65 73 00 70 63 61 66 c3 a9 00 6d 31` (16 bytes: 8 of prefix and space, 5 of term, the
 * separator, 2 of id) and the value `02 ac 02` (3 bytes: tf 2, doc length 300 = 0x2c | 0x80, 0x02).
 *
 * @module
 */
import { CorruptionError, InvalidArgumentError } from "../errors.ts";
import type { Snapshot, T4DX } from "../db.ts";
import type { WriteBatch } from "../write_batch.ts";
import { bm25Idf, bm25Scorer } from "./bm25.ts";
import { compareBytes } from "../util/coding.ts";
import { checkName, encodeUtf8, type Keyspace } from "./keyspace.ts";
import { tokenize } from "./tokenizer.ts";

const dec = new TextDecoder();

/**
 * Encodes a posting value: `tf varint | doc length varint`.
 *
 * @param tf Occurrences of the term in the record. REQUIRES: integer >= 1.
 * @param docLen Token count of the record. REQUIRES: integer >= tf, < 2^53.
 * @returns The value bytes (2 to 16).
 *
 * @example The worked example of the layout table
 * ```ts
 * import { encodePosting } from "./lexical_index.ts";
 * const hex = [...encodePosting(2, 300)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
 * if (hex !== "02 ac 02") throw new Error(`got ${hex}`);
 * ```
 */
export function encodePosting(tf: number, docLen: number): Uint8Array {
  const out = new Uint8Array(varintSize(tf) + varintSize(docLen));
  putVarint(out, putVarint(out, 0, tf), docLen);
  return out;
}

/**
 * Decodes a posting value. Trailing bytes after the two fields are ignored (reserved for fields a later
 * version may append).
 *
 * @param value The value bytes.
 * @returns The term frequency and the record's token count.
 * @throws {CorruptionError} When a varint is truncated or too long, tf is 0, or doc length < tf.
 *
 * @example Round trip
 * ```ts
 * import { decodePosting, encodePosting } from "./lexical_index.ts";
 * const p = decodePosting(encodePosting(3, 40));
 * if (p.tf !== 3 || p.docLen !== 40) throw new Error(JSON.stringify(p));
 * ```
 */
export function decodePosting(value: Uint8Array): { tf: number; docLen: number } {
  const cur = { pos: 0 };
  const tf = getVarint(value, cur, "tf");
  const docLen = getVarint(value, cur, "doc length");
  if (tf < 1 || docLen < tf) {
    throw new CorruptionError(`Cannot decode posting: field "tf" is ${tf} with doc length ${docLen}`);
  }
  return { tf, docLen };
}

/** Options of {@linkcode LexicalIndex}. */
export interface LexicalIndexOptions {
  /** BM25 term-frequency saturation. @default 1.2 */
  k1?: number;
  /** BM25 length normalisation, in [0, 1]. @default 0.75 */
  b?: number;
  /**
   * Bytes of decoded postings lists kept in RAM between queries (least recently used terms go first), or
   * 0 for none. With a cache, every batch holding this index's `addDoc`/`removeDoc` operations must be
   * followed by {@linkcode LexicalIndex.settle} once written (or once its write failed). @default 0
   */
  cacheBytes?: number;
}

/** Collection statistics that BM25 needs; the collection coordinator keeps them. */
export interface LexicalStats {
  /** Number of records in the collection, including those whose text has no terms. */
  docCount: number;
  /** Sum of the records' token counts (the `docLen` that `addDoc` returned). */
  totalLength: number;
}

/** Options of {@linkcode LexicalIndex.search}. */
export interface LexicalSearchOptions {
  /** The collection's statistics, read at the same point in time as `snapshot`. */
  stats: LexicalStats;
  /** Keep only the ids it accepts. Called at most once per candidate, only on those that could rank. @default every id */
  filter?: (id: string) => boolean;
  /** Read postings as of this snapshot. @default the current state */
  snapshot?: Snapshot;
}

/** One search result. */
export interface LexicalHit {
  /** The record id. */
  id: string;
  /** Its BM25 score, > 0. */
  score: number;
}

/**
 * Inverted index over the text of a collection's records, stored as one key per (term, record) in the
 * collection's posting space (layout at the top of this file). It writes nothing itself: `addDoc` and
 * `removeDoc` add operations to the caller's batch, so that a record, its postings and the collection's
 * statistics commit atomically.
 *
 * Queries are bags of words: each distinct query term counts once (a repeated query term does not weigh
 * more) and a document's score is the sum of BM25 over the query terms it holds. Every posting of every
 * query term is read (the scan also yields n(t), the term's document frequency, for idf), then the lists,
 * all in id order, are merged document at a time. A query costs O(Σ n(t) · log |Q|) time and holds
 * Σ n(t) postings in memory; ids are decoded to strings only for documents that could rank. About 0.3–0.5
 * µs per posting on MemFs, two thirds of it in the store's iterator.
 *
 * Concurrency: holds no mutable state. `search` is synchronous, so it sees one consistent state even
 * without a snapshot; any number of calls may overlap with writes.
 *
 * @example Index two records and search
 * ```ts
 * import { T4DX, WriteBatch, MemFs } from "../mod.ts";
 * import { Keyspace } from "./keyspace.ts";
 * import { LexicalIndex } from "./lexical_index.ts";
 * const db = await T4DX.open("/db", { fs: new MemFs() });
 * const index = new LexicalIndex(db, new Keyspace("notes"));
 * const batch = new WriteBatch();
 * const a = index.addDoc(batch, "m1", "Ada wrote the first program");
 * const b = index.addDoc(batch, "m2", "Grace wrote the first compiler, and the second");
 * await db.write(batch);
 * const stats = { docCount: 2, totalLength: a.docLen + b.docLen };
 * const hits = index.search("compiler", 10, { stats });
 * if (hits.length !== 1 || hits[0]!.id !== "m2") throw new Error(JSON.stringify(hits));
 * await db.close();
 * ```
 */
export class LexicalIndex {
  readonly #db: T4DX;
  readonly #ks: Keyspace;
  readonly #k1: number;
  readonly #b: number;
  /** Decoded postings by term, least recently used first; never holds a term of `#pending`. */
  readonly #cache = new Map<string, CachedPostings>();
  readonly #cacheLimit: number;
  #cacheBytes = 0;
  /** Terms in batches not yet settled: read from the store, never cached. */
  readonly #pending = new Set<string>();

  /**
   * @param db The store.
   * @param ks The collection whose posting space this index owns.
   * @param options BM25 parameters.
   * @throws {InvalidArgumentError} When k1 is negative or b is outside [0, 1].
   */
  constructor(db: T4DX, ks: Keyspace, options: LexicalIndexOptions = {}) {
    const k1 = options.k1 ?? 1.2, b = options.b ?? 0.75;
    if (!(k1 >= 0 && Number.isFinite(k1))) {
      throw new InvalidArgumentError(`Cannot create lexical index: k1 "${k1}" is not a finite number >= 0`);
    }
    if (!(b >= 0 && b <= 1)) {
      throw new InvalidArgumentError(`Cannot create lexical index: b "${b}" is not in [0, 1]`);
    }
    this.#db = db;
    this.#ks = ks;
    this.#k1 = k1;
    this.#b = b;
    this.#cacheLimit = Math.max(0, options.cacheBytes ?? 0);
  }

  /**
   * Ends the batches given to `addDoc`/`removeDoc` so far: call it once they are written (or failed).
   * Until then their terms are read from the store on every query; after, the cache may keep them again.
   */
  settle(): void {
    for (const term of this.#pending) this.#evict(term);
    this.#pending.clear();
  }

  #touch(term: string): void {
    if (this.#cacheLimit === 0) return;
    this.#evict(term);
    this.#pending.add(term);
  }

  #evict(term: string): void {
    const c = this.#cache.get(term);
    if (!c) return;
    this.#cache.delete(term);
    this.#cacheBytes -= c.bytes;
  }

  /**
   * Adds to `batch` one posting per distinct term of `text`.
   *
   * REQUIRES: the record has no postings, or `removeDoc` of its old text was added to the same batch
   * before this call (a later put of the same key wins).
   *
   * @param batch The batch that also writes the record.
   * @param id The record id.
   * @param text The record's text.
   * @returns `docLen`, the token count to add to the collection's `totalLength`.
   * @throws {InvalidArgumentError} When `id` is empty, holds NUL or exceeds 512 bytes.
   */
  addDoc(batch: WriteBatch, id: string, text: string): { docLen: number } {
    checkName("id", id);
    const { tfs, docLen } = count(text);
    for (const [term, tf] of tfs) {
      this.#touch(term);
      batch.put(this.#ks.posting(term, id), encodePosting(tf, docLen));
    }
    return { docLen };
  }

  /**
   * Adds to `batch` a delete of every posting of `text`, the record's text as it was indexed.
   *
   * @param batch The batch that also deletes or replaces the record.
   * @param id The record id.
   * @param text The text stored with the record, as passed to `addDoc`.
   * @returns `docLen`, the token count to subtract from the collection's `totalLength`.
   * @throws {InvalidArgumentError} When `id` is empty, holds NUL or exceeds 512 bytes.
   */
  removeDoc(batch: WriteBatch, id: string, text: string): { docLen: number } {
    checkName("id", id);
    const { tfs, docLen } = count(text);
    for (const term of tfs.keys()) {
      this.#touch(term);
      batch.delete(this.#ks.posting(term, id));
    }
    return { docLen };
  }

  /**
   * The `k` records that score highest for `query` under BM25, best first; equal scores are ordered by
   * id ascending in UTF-8 byte order (the store's key order; it differs from `<` on strings only between
   * characters above U+FFFF and those in U+E000–U+FFFF), so results are deterministic.
   *
   * @param query Free text, tokenized like documents. No terms (empty, only stop words) → `[]`.
   * @param k How many results at most. REQUIRES: an integer >= 1.
   * @param options Collection statistics, an optional filter and snapshot.
   * @returns Up to `k` hits; fewer only when fewer records hold a query term and pass the filter.
   * @throws {InvalidArgumentError} When `k` is not an integer >= 1 or the statistics are not finite and >= 0.
   * @throws {CorruptionError} When a posting does not decode.
   */
  search(query: string, k: number, options: LexicalSearchOptions): LexicalHit[] {
    checkSearchK(query, k);
    const q = this.prepare(query, options);
    return q.top(k, options.filter === undefined ? {} : { filter: options.filter });
  }

  /**
   * Reads the postings of `query`'s terms once, for several questions about the same query: the top k
   * ({@linkcode LexicalQuery.top}, what {@linkcode LexicalIndex.search} returns) and the exact score of
   * any given records ({@linkcode LexicalQuery.scores}), for example candidates that another index found.
   * The postings are read when this is called; later writes are not seen.
   *
   * @param query Free text, tokenized like documents.
   * @param options Collection statistics and an optional snapshot (the filter is given to `top`).
   * @returns The prepared query.
   * @throws {InvalidArgumentError} When the statistics are not finite and >= 0.
   * @throws {CorruptionError} When a posting does not decode.
   *
   * @example Top hit and the score of a record that is not in the top
   * ```ts
   * import { MemFs, T4DX, WriteBatch } from "../mod.ts";
   * import { Keyspace } from "./keyspace.ts";
   * import { LexicalIndex } from "./lexical_index.ts";
   * const db = await T4DX.open("/db", { fs: new MemFs() });
   * const index = new LexicalIndex(db, new Keyspace("notes"));
   * const batch = new WriteBatch();
   * const a = index.addDoc(batch, "m1", "tea and biscuits, tea again");
   * const b = index.addDoc(batch, "m2", "tea");
   * const c = index.addDoc(batch, "m3", "coffee");
   * await db.write(batch);
   * const q = index.prepare("tea", { stats: { docCount: 3, totalLength: a.docLen + b.docLen + c.docLen } });
   * const [top] = q.top(1);
   * const scores = q.scores(["m1", "m3"]);
   * if (top?.id !== "m2" || !(scores.get("m1")! > 0) || scores.get("m3") !== 0) throw new Error("bad scores");
   * await db.close();
   * ```
   */
  prepare(query: string, options: Omit<LexicalSearchOptions, "filter">): LexicalQuery {
    const { docCount, totalLength } = options.stats;
    if (!(docCount >= 0 && totalLength >= 0 && Number.isFinite(docCount + totalLength))) {
      throw new InvalidArgumentError(
        `Cannot search ${JSON.stringify(query)}: stats ${
          JSON.stringify(options.stats)
        } are not finite and >= 0`,
      );
    }
    const terms = [...new Set(tokenize(query))];
    // With consistent stats a posting implies docCount >= 1 and totalLength >= 1; guard stale ones anyway.
    const avgDocLen = docCount > 0 && totalLength > 0 ? totalLength / docCount : 1;
    const lists: TermPostings[] = [];
    for (const term of terms) {
      const list = this.#scan(term, options.snapshot);
      if (list.ids.length === 0) continue;
      list.score = bm25Scorer(bm25Idf(docCount, list.ids.length), { avgDocLen, k1: this.#k1, b: this.#b });
      list.order = lists.length;
      lists.push(list);
    }
    return new LexicalQuery(query, terms, lists);
  }

  /** Every posting of `term`, in id order: from the cache, or read from the store (and cached). */
  #scan(term: string, snapshot: Snapshot | undefined): TermPostings {
    if (this.#cacheLimit === 0 || snapshot !== undefined || this.#pending.has(term)) {
      return this.#read(term, snapshot);
    }
    let c = this.#cache.get(term);
    if (c) {
      this.#cache.delete(term); // re-insert: most recently used last
      this.#cache.set(term, c);
    } else {
      const list = this.#read(term, undefined);
      let bytes = 64;
      for (const id of list.ids) bytes += id.byteLength + 48;
      c = { ids: list.ids, tfs: list.tfs, lens: list.lens, bytes };
      if (bytes > this.#cacheLimit) return list;
      this.#cache.set(term, c);
      this.#cacheBytes += bytes;
      for (const [old] of this.#cache) {
        if (this.#cacheBytes <= this.#cacheLimit) break;
        this.#evict(old);
      }
    }
    return { ids: c.ids, tfs: c.tfs, lens: c.lens, score: noScore, order: 0, at: 0 };
  }

  /** Reads every posting of `term` from the store, in id order. */
  #read(term: string, snapshot: Snapshot | undefined): TermPostings {
    const prefix = this.#ks.postings(term);
    const list: TermPostings = { ids: [], tfs: [], lens: [], score: noScore, order: 0, at: 0 };
    const it = this.#db.iterator(snapshot === undefined ? { prefix } : { prefix, snapshot });
    const cur = { pos: 0 };
    try {
      for (; it.valid(); it.next()) {
        const v = it.value();
        cur.pos = 0;
        const tf = getVarint(v, cur, "tf");
        const docLen = getVarint(v, cur, "doc length");
        if (tf < 1 || docLen < tf) {
          throw new CorruptionError(
            `Cannot decode posting of term ${
              JSON.stringify(term)
            }: field "tf" is ${tf} with doc length ${docLen}`,
          );
        }
        list.ids.push(it.key().subarray(prefix.length)); // a copy owned by us; decoded only if it ranks
        list.tfs.push(tf);
        list.lens.push(docLen);
      }
    } finally {
      it.close();
    }
    return list;
  }
}

/**
 * A query whose postings have been read ({@linkcode LexicalIndex.prepare}): ask it for the top k, or for
 * the exact BM25 of given records. Both sum a record's term shares in the same order, so a record gets
 * bit-equal scores from the two.
 *
 * Concurrency: holds the postings read at creation; any number of calls may be made, in any order.
 */
export class LexicalQuery {
  /** The query text. */
  readonly query: string;
  /** The distinct terms of the query, in order (some may match no record). */
  readonly terms: readonly string[];
  readonly #lists: TermPostings[];

  /** Built by {@linkcode LexicalIndex.prepare}. */
  constructor(query: string, terms: readonly string[], lists: TermPostings[]) {
    this.query = query;
    this.terms = terms;
    this.#lists = lists;
  }

  /** Number of postings read, over all terms. */
  get postings(): number {
    let n = 0;
    for (const l of this.#lists) n += l.ids.length;
    return n;
  }

  /**
   * The `k` best records, as {@linkcode LexicalIndex.search} returns them.
   *
   * @param k How many results at most. REQUIRES: an integer >= 1.
   * @param options Keep only the ids `filter` accepts (called only on records that could rank).
   * @returns Up to `k` hits, best first, ties by id bytes.
   * @throws {InvalidArgumentError} When `k` is not an integer >= 1.
   */
  top(k: number, options: { filter?: (id: string) => boolean } = {}): LexicalHit[] {
    checkSearchK(this.query, k);
    for (const l of this.#lists) l.at = 0;
    return rank(this.#lists, k, options.filter);
  }

  /**
   * The exact BM25 of each given record for this query: 0 for a record that holds no query term (or does
   * not exist). A binary search per record and term in the postings already read.
   *
   * @param ids Record ids, in any order; repeats are harmless.
   * @returns The score of every given id.
   */
  scores(ids: Iterable<string>): Map<string, number> {
    const out = new Map<string, number>();
    for (const id of ids) {
      if (out.has(id)) continue;
      const key = encodeUtf8(id);
      let score = 0;
      for (const l of this.#lists) {
        const i = findKey(l.ids, key);
        if (i >= 0) score += l.score(l.tfs[i]!, l.lens[i]!);
      }
      out.set(id, score);
    }
    return out;
  }
}

/** Index of `key` in the ascending `keys`, or -1. */
function findKey(keys: readonly Uint8Array[], key: Uint8Array): number {
  let lo = 0, hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareBytes(keys[mid]!, key);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function checkSearchK(query: string, k: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new InvalidArgumentError(
      `Cannot search ${JSON.stringify(query)}: k "${k}" is not an integer >= 1`,
    );
  }
}

/** One query term's postings as three columns in id order, and a cursor for the merge. */
interface TermPostings {
  /** Record ids as UTF-8 bytes, ascending. */
  ids: Uint8Array[];
  tfs: number[];
  lens: number[];
  /** The term's BM25 scorer. */
  score: (tf: number, docLen: number) => number;
  /** Position of the term in the query; shares are summed in this order. */
  order: number;
  /** Merge cursor into the columns. */
  at: number;
}

const noScore = () => 0;

/** A term's postings as the cache keeps them: shared, never mutated. */
interface CachedPostings {
  ids: Uint8Array[];
  tfs: number[];
  lens: number[];
  /** Estimated RAM. */
  bytes: number;
}

/** A ranked candidate; `id` is decoded from `key` once the candidate enters the top k. */
interface Candidate {
  key: Uint8Array;
  score: number;
  id: string;
}

/**
 * Merges the term lists document at a time (they are all in id order, so no hash map is needed) and keeps
 * the best `k` that pass `filter` in a bounded heap whose root is the worst. A document's score is the sum
 * of its terms' shares in query order, so equal documents get bit-equal scores and ties fall to the id.
 * `filter` runs only on documents that would enter the heap: the same answer as filtering first, because a
 * document that cannot beat the k-th best seen so far can never rank.
 */
function rank(lists: TermPostings[], k: number, filter: ((id: string) => boolean) | undefined): LexicalHit[] {
  const shares = new Float64Array(lists.length);
  const heads = lists.slice(); // a min-heap of the lists by their current id
  for (let i = (heads.length >> 1) - 1; i >= 0; i--) siftHead(heads, i);
  const best: Candidate[] = [];
  while (heads.length > 0) {
    const key = heads[0]!.ids[heads[0]!.at]!;
    do {
      const l = heads[0]!;
      shares[l.order] = l.score(l.tfs[l.at]!, l.lens[l.at]!);
      if (++l.at === l.ids.length) heads[0] = heads[heads.length - 1]!, heads.pop();
      if (heads.length > 1) siftHead(heads, 0);
    } while (heads.length > 0 && compareBytes(heads[0]!.ids[heads[0]!.at]!, key) === 0);
    let score = 0;
    for (let i = 0; i < shares.length; i++) score += shares[i]!, shares[i] = 0;
    if (best.length === k && !before(score, key, best[0]!)) continue;
    const id = dec.decode(key);
    if (filter !== undefined && !filter(id)) continue;
    if (best.length < k) {
      best.push({ key, score, id });
      siftUp(best, best.length - 1);
    } else {
      best[0] = { key, score, id };
      siftDown(best, 0);
    }
  }
  best.sort((a, b) => (before(a.score, a.key, b) ? -1 : 1));
  return best.map(({ id, score }) => ({ id, score }));
}

/** Restores the min-heap of term lists below `i`, ordered by each list's current id. */
function siftHead(h: TermPostings[], i: number): void {
  const x = h[i]!, n = h.length, xKey = x.ids[x.at]!;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && compareBytes(h[c + 1]!.ids[h[c + 1]!.at]!, h[c]!.ids[h[c]!.at]!) < 0) c++;
    if (compareBytes(h[c]!.ids[h[c]!.at]!, xKey) >= 0) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = x;
}

/** True when a candidate ranks before `b`: higher score, then lower id bytes. */
function before(aScore: number, aKey: Uint8Array, b: Candidate): boolean {
  return aScore > b.score || (aScore === b.score && compareBytes(aKey, b.key) < 0);
}

/** Heap order: a parent ranks after (is worse than) its children. */
function siftUp(h: Candidate[], i: number): void {
  const x = h[i]!;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(h[p]!.score, h[p]!.key, x)) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = x;
}

function siftDown(h: Candidate[], i: number): void {
  const x = h[i]!, n = h.length;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && before(h[c]!.score, h[c]!.key, h[c + 1]!)) c++; // the worse child
    if (!before(x.score, x.key, h[c]!)) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = x;
}

/** Term frequencies of `text` in first-appearance order, and its token count. */
function count(text: string): { tfs: Map<string, number>; docLen: number } {
  const tokens = tokenize(text);
  const tfs = new Map<string, number>();
  for (const t of tokens) tfs.set(t, (tfs.get(t) ?? 0) + 1);
  return { tfs, docLen: tokens.length };
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

function putVarint(out: Uint8Array, at: number, v: number): number {
  while (v >= 0x80) {
    out[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[at++] = v;
  return at;
}

/** Reads a LEB128 varint of at most 8 bytes at `cur.pos`, as `ByteReader.varint` does, without allocating. */
function getVarint(b: Uint8Array, cur: { pos: number }, field: string): number {
  let result = 0, mul = 1;
  for (let i = 0; i < 8; i++) {
    if (cur.pos >= b.length) {
      throw new CorruptionError(`Cannot decode posting: varint "${field}" is truncated at offset ${cur.pos}`);
    }
    const x = b[cur.pos++]!;
    result += (x & 0x7f) * mul;
    if (x < 0x80) return result;
    mul *= 0x80;
  }
  throw new CorruptionError(`Cannot decode posting: varint "${field}" is longer than 8 bytes`);
}
