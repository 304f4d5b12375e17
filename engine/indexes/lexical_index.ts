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
import { checkName, type Keyspace } from "./keyspace.ts";
import { tokenize } from "./tokenizer.ts";
import { accumulate, decodeId, IdTable, Scratch, selectTop, type TermPostings } from "./_postings_eval.ts";
import { type PostingChange, PostingsList } from "./_postings_list.ts";

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
   * followed by {@linkcode LexicalIndex.settle} once written (or once its write failed), before the next
   * such batch is made; the cached lists of the terms it touched are then patched (or dropped). A cache also
   * keeps a table of the record ids it has met, about 100 bytes per record, beyond this budget; it is
   * started afresh when it holds more than twice the collection's records. @default 0
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
 * query term is read (the scan also yields n(t), the term's document frequency, for idf); record ids are
 * numbered as they are read (an id table, kept with the cache), and a query adds each posting's share to
 * its record's sum in an array indexed by that number, then keeps the best k in a bounded heap
 * (_postings_eval.ts). A query costs O(Σ n(t)) time plus O(m log k) for the m records it touches. Reading
 * a list from the store costs about 0.3–0.5 µs per posting on MemFs, most of it in the store's iterator;
 * a cached list costs a few ns per posting.
 *
 * Concurrency: its only mutable state is derived (the postings cache, the id table, the scratch of
 * evaluations) and every call is synchronous. `search` sees one consistent state even without a
 * snapshot; any number of calls may overlap with writes.
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
  /**
   * Decoded postings by term, least recently used first, as of the last settled batch: a term of the
   * batch being written is still served as it was before it (as the store does until the write lands).
   */
  readonly #cache = new Map<string, PostingsList>();
  readonly #cacheLimit: number;
  #cacheBytes = 0;
  /** The changes of the batch not yet settled, by term, in call order. */
  readonly #pending = new Map<string, PostingChange[]>();
  /**
   * With a cache, the numbers of the record ids in the cached lists (and in lists read since it was made).
   * INVARIANT: every cached list numbers its records in this table.
   */
  #table = new IdTable();
  /** Sums of the queries' evaluations, reused between them. */
  readonly #scratch = new Scratch();

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
   * Ends the batch given to `addDoc`/`removeDoc` since the last call: call it once the batch is written,
   * or once its write failed (`written` false). A written batch's changes are applied to the cached lists
   * of the terms it touched (a few entries appended, mostly, instead of the whole list read again); after a
   * failed write those lists are dropped and read afresh when next asked for.
   *
   * @param written Whether the batch was written. @default true
   */
  settle(written = true): void {
    for (const [term, changes] of this.#pending) {
      const c = this.#cache.get(term);
      if (!c) continue;
      if (!written) {
        this.#evict(term);
        continue;
      }
      const before = c.bytes;
      c.patch(changes, this.#table);
      this.#cacheBytes += c.bytes - before;
      if (c.bytes > this.#cacheLimit) this.#evict(term);
    }
    this.#pending.clear();
    this.#trim();
  }

  #touch(term: string, change: PostingChange): void {
    if (this.#cacheLimit === 0) return;
    const list = this.#pending.get(term);
    if (list) list.push(change);
    else this.#pending.set(term, [change]);
  }

  /** Evicts the least recently used lists until the cache is within its budget. */
  #trim(): void {
    for (const [old] of this.#cache) {
      if (this.#cacheBytes <= this.#cacheLimit) break;
      this.#evict(old);
    }
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
      this.#touch(term, { id, tf, docLen });
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
      this.#touch(term, { id, tf: 0, docLen: 0 });
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
    let table: IdTable;
    if (this.#cacheLimit === 0) table = new IdTable();
    else {
      // Numbers of deleted records stay in the table: start afresh when they could be half of it.
      if (this.#table.size > 2 * docCount + 1024) this.#restart();
      table = this.#table;
    }
    const lists: TermPostings[] = [];
    for (const term of terms) {
      const list = this.#scan(term, options.snapshot, table);
      if (list.docs.length === 0) continue;
      list.score = bm25Scorer(bm25Idf(docCount, list.docs.length), { avgDocLen, k1: this.#k1, b: this.#b });
      lists.push(list);
    }
    return new LexicalQuery(query, terms, lists, { table, scratch: this.#scratch });
  }

  /** Drops the cache and its id table (prepared queries keep the table they were made with). */
  #restart(): void {
    this.#cache.clear();
    this.#cacheBytes = 0;
    this.#table = new IdTable();
  }

  /**
   * Every posting of `term`, in id order: from the cache, or read from the store (and cached). A list read
   * while a batch touching the term is being written may or may not hold that batch's postings (the write
   * lands in the store at some point); `settle` then patches it either way (`PostingsList.patch`).
   */
  #scan(term: string, snapshot: Snapshot | undefined, table: IdTable): TermPostings {
    if (this.#cacheLimit === 0 || snapshot !== undefined) return this.#read(term, snapshot, table);
    let c = this.#cache.get(term);
    if (c) {
      this.#cache.delete(term); // re-insert: most recently used last
      this.#cache.set(term, c);
    } else {
      const list = this.#read(term, undefined, table);
      c = new PostingsList(list);
      if (c.bytes > this.#cacheLimit) return list;
      this.#cache.set(term, c);
      this.#cacheBytes += c.bytes;
      this.#trim();
    }
    return { ...c.view(), score: noScore };
  }

  /** Reads every posting of `term` from the store, in id order, numbering its records in `table`. */
  #read(term: string, snapshot: Snapshot | undefined, table: IdTable): TermPostings {
    const prefix = this.#ks.postings(term);
    const docs: number[] = [], tfs: number[] = [], lens: number[] = [];
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
        docs.push(table.number(decodeId(it.key().subarray(prefix.length))));
        tfs.push(tf);
        lens.push(docLen);
      }
    } finally {
      it.close();
    }
    return {
      docs: Int32Array.from(docs),
      tfs: Float64Array.from(tfs),
      lens: Float64Array.from(lens),
      score: noScore,
    };
  }
}

/**
 * A query whose postings have been read ({@linkcode LexicalIndex.prepare}): ask it for the top k, or for
 * the exact BM25 of given records. Both sum a record's term shares in the same order, so a record gets
 * bit-equal scores from the two.
 *
 * Concurrency: holds the postings read at creation; any number of calls may be made, in any order (a
 * filter may even start another query's evaluation).
 */
export class LexicalQuery {
  /** The query text. */
  readonly query: string;
  /** The distinct terms of the query, in order (some may match no record). */
  readonly terms: readonly string[];
  /** The lists of the terms that match records, in query order: shares are summed in this order. */
  readonly #lists: TermPostings[];
  readonly #table: IdTable;
  readonly #scratch: Scratch;

  /** Built by {@linkcode LexicalIndex.prepare}. */
  constructor(
    query: string,
    terms: readonly string[],
    lists: TermPostings[],
    using: { table: IdTable; scratch: Scratch },
  ) {
    this.query = query;
    this.terms = terms;
    this.#lists = lists;
    this.#table = using.table;
    this.#scratch = using.scratch;
  }

  /** Number of postings read, over all terms. */
  get postings(): number {
    let n = 0;
    for (const l of this.#lists) n += l.docs.length;
    return n;
  }

  /**
   * Runs `fn` on the sums of every record that holds a query term. The shared scratch keeps the sums of
   * the last evaluation; when that was this query's, they are used again.
   */
  #evaluate<T>(fn: (s: Scratch) => T): T {
    const shared = !this.#scratch.busy;
    const s = shared ? this.#scratch : new Scratch();
    try {
      if (!shared || s.owner !== this || s.ownerGen !== s.gen) {
        s.begin(this.#table.size);
        accumulate(this.#lists, s);
        s.owner = this;
        s.ownerGen = s.gen;
      }
      s.busy = true;
      return fn(s);
    } finally {
      s.busy = false;
    }
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
    return this.#evaluate((s) => selectTop(s, this.#table, k, options.filter));
  }

  /**
   * The exact BM25 of each given record for this query: 0 for a record that holds no query term (or does
   * not exist). One pass over the postings already read, then a lookup per record.
   *
   * @param ids Record ids, in any order; repeats are harmless.
   * @returns The score of every given id.
   */
  scores(ids: Iterable<string>): Map<string, number> {
    return this.#evaluate((s) => {
      const out = new Map<string, number>();
      for (const id of ids) {
        const doc = this.#table.find(id);
        out.set(id, doc >= 0 && s.stamp[doc] === s.gen ? s.sums[doc]! : 0);
      }
      return out;
    });
  }
}

function checkSearchK(query: string, k: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new InvalidArgumentError(
      `Cannot search ${JSON.stringify(query)}: k "${k}" is not an integer >= 1`,
    );
  }
}

const noScore = () => 0;

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
