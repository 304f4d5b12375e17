/**
 * An indexed collection: records with an event time, a record time, optional text and an optional
 * vector, kept in one T4DX key range together with a time index, a lexical (BM25) index and a vector
 * change log. A put or delete writes the record and every index entry in one atomic batch, so a crash
 * never leaves an index ahead of or behind the data. The HNSW graph lives in RAM and in a sidecar file
 * that records the change number it covers; on open it is loaded and caught up from the change log,
 * or rebuilt from the records when missing or damaged. The meta records the tokenizer version the postings
 * were written with; a collection indexed under another version has its postings rebuilt when it is
 * opened (see {@linkcode Collection.open}).
 *
 * This file coordinates the indexes of engine/indexes/, so it is longer than a leaf file.
 *
 * @module
 */
import type { T4DX } from "../db.ts";
import type { Snapshot } from "../db.ts";
import { InvalidArgumentError } from "../errors.ts";
import { WriteBatch } from "../write_batch.ts";
import { BruteForceIndex } from "./brute_force_index.ts";
import { HnswIndex } from "./hnsw_index.ts";
import { Keyspace, SPACE } from "./keyspace.ts";
import { LexicalIndex, type LexicalQuery } from "./lexical_index.ts";
import { RecordCache } from "./record_cache.ts";
import { TOKENIZER_VERSION } from "./tokenizer.ts";
import {
  decodeRecord,
  encodeRecord,
  type IndexedRecord,
  type RecordView,
  type StoredRecord,
  viewRecord,
  viewRecordCopy,
} from "./record_codec.ts";
import { loadSidecar, saveSidecar } from "./vector_sidecar.ts";
import type { VectorIndex } from "./vector_index.ts";

/** Options of a collection; fixed at creation except the search-time ones. */
export interface CollectionOptions {
  /** Vector dimension; 0 for a collection without vectors. @default 0 */
  dim?: number;
  /** Vector similarity. @default "cosine" */
  metric?: "cosine" | "ip";
  /** HNSW graph degree. @default 16 */
  M?: number;
  /** HNSW build beam width. @default 200 */
  efConstruction?: number;
  /** HNSW search beam width (64 loses recall on 512-d embeddings; see engine/docs/formats/hnsw_sidecar.md). @default 128 */
  ef?: number;
  /** BM25 term saturation. @default 1.2 */
  k1?: number;
  /** BM25 length normalisation. @default 0.75 */
  b?: number;
  /** Use exact search instead of HNSW (small collections, tests). @default false */
  exact?: boolean;
  /** RAM for decoded BM25 postings lists kept between queries (per collection; 0 for none). @default 32 MiB */
  postingsCacheBytes?: number;
  /**
   * RAM for records kept between reads by {@linkcode Collection.view} and {@linkcode Collection.get}
   * (per collection; 0 for none). Only this collection's writes change its records, so the cache is
   * exact; give 0 when something else does (a compaction filter that drops or rewrites records).
   * @default 64 MiB
   */
  recordCacheBytes?: number;
}

/** A time window; `from` inclusive, `to` exclusive, ms since epoch. */
export interface TimeWindow {
  from?: number;
  to?: number;
  /** Which time the window applies to. @default "event" */
  field?: "event" | "record";
}

/** One candidate from one index with that index's raw score. */
export interface Candidate {
  id: string;
  score: number;
}

/** What {@linkcode Collection.query} returns: each index's candidates, unfused. */
export interface QueryCandidates {
  /** Vector neighbours, score = cosine similarity (or inner product). */
  vector: Candidate[];
  /** BM25 hits, score = BM25. */
  lexical: Candidate[];
  /** Records in the time window, score = the record's time in ms (newest first). */
  time: Candidate[];
}

interface Meta {
  version: 1;
  dim: number;
  metric: "cosine" | "ip";
  M: number;
  efConstruction: number;
  count: number;
  docCount: number;
  totalLength: number;
  nextLabel: number;
  change: number;
  /** The tokenizer version the postings were written with; absent in collections made before version 2. */
  tokenizer?: number;
}

interface Change {
  op: 0 | 1;
  label: number;
  id: string;
  vector?: Float32Array;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const EMPTY = new Uint8Array(0);

function encodeChange(c: Change): Uint8Array {
  const id = enc.encode(c.id);
  const out = new Uint8Array(5 + id.length);
  out[0] = c.op;
  new DataView(out.buffer).setUint32(1, c.label, true);
  out.set(id, 5);
  return out;
}

function decodeChange(b: Uint8Array): Change {
  return {
    op: b[0] === 1 ? 1 : 0,
    label: new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(1, true),
    id: dec.decode(b.subarray(5)),
  };
}

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

function finiteTime(what: string, id: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new InvalidArgumentError(
      `Cannot store record ${JSON.stringify(id)}: ${what} must be a finite number`,
    );
  }
  return v;
}

/**
 * Rebuilds the posting space of a collection with the current tokenizer (see {@linkcode Collection.open}).
 * Writes in batches, the meta last.
 */
async function reindexPostings(db: T4DX, ks: Keyspace, meta: Meta): Promise<Meta> {
  const lex = new LexicalIndex(db, ks);
  let batch = new WriteBatch();
  const flush = async () => {
    if (batch.count === 0) return;
    await db.write(batch);
    batch = new WriteBatch();
  };
  for (const [k] of db.iterator({ prefix: ks.space(SPACE.posting) })) {
    batch.delete(k);
    if (batch.count >= 4096) await flush();
  }
  await flush();
  let docCount = 0, totalLength = 0;
  for (const [k, v] of db.iterator({ prefix: ks.space(SPACE.record) })) {
    const rec = decodeRecord(ks.recordId(k), v, `collection ${JSON.stringify(ks.name)}`);
    if (rec.text === undefined) continue;
    totalLength += lex.addDoc(batch, rec.id, rec.text).docLen;
    docCount++;
    if (batch.count >= 4096) await flush();
  }
  const next: Meta = { ...meta, docCount, totalLength, tokenizer: TOKENIZER_VERSION };
  batch.put(ks.meta(), enc.encode(JSON.stringify(next)));
  await db.write(batch);
  return next;
}

/**
 * One collection of an {@linkcode IndexedStore}.
 *
 * Concurrency: `put` and `delete` may be called concurrently; they are applied one at a time in call
 * order. Reads are synchronous and see every write that has resolved.
 */
export class Collection {
  readonly #db: T4DX;
  readonly #ks: Keyspace;
  #meta: Meta;
  readonly #lex: LexicalIndex;
  /** Recently read records; a write holds the ids it changes (see {@linkcode RecordCache}). */
  readonly #records: RecordCache;
  readonly #vec: VectorIndex | undefined;
  readonly #labelToId: (string | undefined)[] = [];
  readonly #idToLabel = new Map<string, number>();
  readonly #sidecar: string | undefined;
  readonly #ef: number;
  readonly #persistEvery: number;
  #applied = 0;
  #covered = 0;
  #queue: Promise<unknown> = Promise.resolve();
  /** How the vector index was obtained on open: "sidecar", "rebuilt: <reason>", "empty" or "none". */
  readonly vectorSource: string;
  /** How the postings were found on open: "current", or "reindexed: tokenizer <old> to <new>, <n> records". */
  lexicalSource = "current";

  private constructor(
    db: T4DX,
    ks: Keyspace,
    meta: Meta,
    o: CollectionOptions,
    sidecar: string | undefined,
    persistEvery: number,
  ) {
    this.#db = db;
    this.#persistEvery = persistEvery;
    this.#ks = ks;
    this.#meta = meta;
    this.#sidecar = sidecar;
    this.#ef = o.ef ?? 128;
    this.#records = new RecordCache(o.recordCacheBytes ?? 64 << 20);
    this.#lex = new LexicalIndex(db, ks, {
      k1: o.k1 ?? 1.2,
      b: o.b ?? 0.75,
      cacheBytes: o.postingsCacheBytes ?? 32 << 20,
    });
    for (const [k, v] of db.iterator({ prefix: ks.space(SPACE.label) })) {
      const id = dec.decode(k.subarray(ks.prefix.length + 1));
      const label = new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true);
      this.#labelToId[label] = id;
      this.#idToLabel.set(id, label);
    }
    if (meta.dim === 0) {
      this.#vec = undefined;
      this.vectorSource = "none";
      return;
    }
    const fresh = (): VectorIndex =>
      o.exact ? new BruteForceIndex({ dim: meta.dim, metric: meta.metric }) : new HnswIndex({
        dim: meta.dim,
        metric: meta.metric,
        M: meta.M,
        efConstruction: meta.efConstruction,
        ef: this.#ef,
      });
    let reason = sidecar ? "" : "no sidecar for this file system";
    if (sidecar && !o.exact) {
      const loaded = loadSidecar(sidecar, { dim: meta.dim, metric: meta.metric, ef: this.#ef });
      if ("index" in loaded && loaded.covered <= meta.change) {
        this.#vec = loaded.index;
        this.#covered = loaded.covered;
        this.#applied = loaded.covered;
        this.#catchUp();
        this.vectorSource = "sidecar";
        return;
      }
      reason = "reason" in loaded
        ? loaded.reason
        : `sidecar covers change ${loaded.covered} > ${meta.change}`;
    }
    this.#vec = fresh();
    this.#rebuild();
    this.vectorSource = meta.count === 0 ? "empty" : `rebuilt: ${reason}`;
  }

  /**
   * Opens (creating if absent) the collection `name` of `db`. Used by {@linkcode IndexedStore}.
   *
   * When the postings were written by another tokenizer version than {@linkcode TOKENIZER_VERSION}, they
   * are rebuilt before this resolves: every posting is deleted, every record's text is indexed again and
   * the meta is rewritten last with the new version and statistics. A crash in between leaves the old
   * version in the meta, so the next open starts over; postings are derived data and nothing is lost.
   * It costs one pass over the records (about as long as writing them).
   *
   * @throws {InvalidArgumentError} `options.dim` or `metric` differ from the stored collection's.
   */
  static async open(
    db: T4DX,
    name: string,
    options: CollectionOptions = {},
    where: { sidecar?: string | undefined; persistEvery?: number } = {},
  ): Promise<Collection> {
    const ks = new Keyspace(name);
    const raw = db.get(ks.meta());
    let meta: Meta;
    let reindexed: string | undefined;
    if (raw) {
      meta = JSON.parse(dec.decode(raw)) as Meta;
      const was = meta.tokenizer ?? 1;
      if (was !== TOKENIZER_VERSION) {
        const n = meta.count;
        meta = await reindexPostings(db, ks, meta);
        reindexed = `reindexed: tokenizer ${was} to ${TOKENIZER_VERSION}, ${n} records`;
      }
      if (options.dim !== undefined && options.dim !== meta.dim) {
        throw new InvalidArgumentError(
          `Cannot open collection ${
            JSON.stringify(name)
          }: dimension ${options.dim} differs from the stored ${meta.dim}`,
        );
      }
      if (options.metric !== undefined && options.metric !== meta.metric) {
        throw new InvalidArgumentError(
          `Cannot open collection ${
            JSON.stringify(name)
          }: metric "${options.metric}" differs from the stored "${meta.metric}"`,
        );
      }
    } else {
      const dim = options.dim ?? 0;
      if (!Number.isInteger(dim) || dim < 0 || dim > 65536) {
        throw new InvalidArgumentError(
          `Cannot create collection ${JSON.stringify(name)}: bad dimension ${dim}`,
        );
      }
      meta = {
        version: 1,
        dim,
        metric: options.metric ?? "cosine",
        M: options.M ?? 16,
        efConstruction: options.efConstruction ?? 200,
        count: 0,
        docCount: 0,
        totalLength: 0,
        nextLabel: 0,
        change: 0,
        tokenizer: TOKENIZER_VERSION,
      };
      await db.put(ks.meta(), enc.encode(JSON.stringify(meta)));
    }
    const c = new Collection(db, ks, meta, options, where.sidecar, where.persistEvery ?? 50_000);
    if (reindexed) c.lexicalSource = reindexed;
    return c;
  }

  /** The collection name. */
  get name(): string {
    return this.#ks.name;
  }
  /** Vector dimension (0: none). */
  get dim(): number {
    return this.#meta.dim;
  }

  #catchUp(): void {
    for (
      const [k, v] of this.#db.iterator({
        gt: this.#ks.change(this.#covered),
        lt: this.#ks.change(2 ** 53 - 1),
      })
    ) {
      void k;
      const c = decodeChange(v);
      if (c.op === 1) {
        const rec = this.get(c.id);
        if (rec?.vector && rec.label === c.label) this.#vec!.upsert(c.label, rec.vector);
      } else if (this.#vec!.has(c.label)) {
        this.#vec!.remove(c.label);
      }
    }
    this.#applied = this.#meta.change;
  }

  #rebuild(): void {
    for (const [k, v] of this.#db.iterator({ prefix: this.#ks.space(SPACE.record) })) {
      const id = this.#ks.recordId(k);
      const rec = decodeRecord(id, v, `collection ${JSON.stringify(this.name)}`);
      if (rec.vector && rec.label !== undefined) this.#vec!.upsert(rec.label, rec.vector);
    }
    this.#applied = this.#meta.change;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(fn);
    this.#queue = p.catch(() => {});
    return p;
  }

  /**
   * Stores records, replacing any with the same id: the records and all their index entries are
   * written in one atomic batch.
   *
   * `options.extra` holds further operations (outside the collection's key range) to commit in the same
   * atomic batch, e.g. the history entry of the version being replaced.
   *
   * @throws {InvalidArgumentError} A record is malformed (bad id, time, vector dimension or value) or
   * an id repeats within the call; nothing is written.
   */
  put(records: readonly IndexedRecord[], options: { extra?: WriteBatch } = {}): Promise<void> {
    return this.write({ put: records }, options).then(() => {});
  }

  /**
   * Deletes records and every index entry that points to them. Returns how many existed.
   *
   * `options.extra` holds further operations to commit in the same atomic batch.
   */
  delete(ids: readonly string[], options: { extra?: WriteBatch } = {}): Promise<number> {
    return this.write({ delete: ids }, options).then((r) => r.deleted);
  }

  /**
   * Deletes and stores records in one atomic batch, with `options.extra` (operations outside the
   * collection's key range) in the same batch. Deletes apply first; an id may not be both deleted and
   * stored. With nothing to do and no extra operations, nothing is written.
   *
   * @returns How many of the ids to delete existed.
   * @throws {InvalidArgumentError} A record is malformed, an id repeats within the call or is both
   * deleted and stored; nothing is written.
   */
  write(
    ops: { put?: readonly IndexedRecord[]; delete?: readonly string[] },
    options: { extra?: WriteBatch } = {},
  ): Promise<{ deleted: number }> {
    return this.#serial(async () => {
      let written = false;
      try {
        const records = ops.put ?? [];
        const meta = { ...this.#meta };
        const batch = new WriteBatch();
        for (const op of options.extra?.ops ?? []) batch.ops.push(op);
        const changes: Change[] = [];
        const seen = new Set<string>();
        const labels = new Map<string, number | undefined>();
        for (const r of records) this.#validate(r, seen);
        const gone: string[] = [];
        for (const id of new Set(ops.delete ?? [])) {
          if (seen.has(id)) {
            throw new InvalidArgumentError(
              `Cannot write records: id ${JSON.stringify(id)} is both deleted and stored`,
            );
          }
          const old = this.get(id);
          if (!old) continue;
          this.#unindex(batch, old, meta);
          batch.delete(this.#ks.record(id));
          if (old.label !== undefined) {
            batch.delete(this.#ks.label(id));
            changes.push({ op: 0, label: old.label, id });
          }
          meta.count--;
          gone.push(id);
          labels.set(id, undefined);
        }
        for (const r of records) {
          const old = this.get(r.id);
          if (old) this.#unindex(batch, old, meta);
          else meta.count++;
          let label: number | undefined;
          if (r.vector) {
            label = old?.label ?? this.#idToLabel.get(r.id) ?? meta.nextLabel++;
            batch.put(this.#ks.label(r.id), u32(label));
            changes.push({ op: 1, label, id: r.id, vector: r.vector });
          } else if (old?.label !== undefined) {
            batch.delete(this.#ks.label(r.id));
            changes.push({ op: 0, label: old.label, id: r.id });
          }
          labels.set(r.id, label);
          const stored: StoredRecord = { ...r, validFrom: r.validFrom ?? r.eventTime };
          if (label !== undefined) stored.label = label;
          else delete stored.label;
          batch.put(this.#ks.record(r.id), encodeRecord(stored));
          batch.put(this.#ks.time(SPACE.eventTime, r.eventTime, r.id), EMPTY);
          batch.put(this.#ks.time(SPACE.recordTime, r.recordTime, r.id), EMPTY);
          if (r.text !== undefined) {
            const { docLen } = this.#lex.addDoc(batch, r.id, r.text);
            meta.docCount++;
            meta.totalLength += docLen;
          }
        }
        if (records.length === 0 && gone.length === 0) {
          if (batch.count > 0) await this.#db.write(batch);
          return { deleted: 0 };
        }
        for (const c of changes) batch.put(this.#ks.change(++meta.change), encodeChange(c));
        batch.put(this.#ks.meta(), enc.encode(JSON.stringify(meta)));
        this.#records.hold(labels.keys()); // every id deleted or stored
        await this.#db.write(batch);
        written = true;
        this.#meta = meta;
        this.#apply(changes);
        for (const [id, label] of labels) {
          if (label === undefined) {
            const l = this.#idToLabel.get(id);
            if (l !== undefined) this.#labelToId[l] = undefined;
            this.#idToLabel.delete(id);
          } else {
            this.#labelToId[label] = id;
            this.#idToLabel.set(id, label);
          }
        }
        return { deleted: gone.length };
      } finally {
        this.#lex.settle(written); // the postings cache takes in this write's postings (or drops them)
        this.#records.release(); // and the record cache reads the ids it changed afresh
      }
    });
  }

  #validate(r: IndexedRecord, seen: Set<string>): void {
    this.#ks.record(r.id);
    if (seen.has(r.id)) {
      throw new InvalidArgumentError(
        `Cannot store records: id ${JSON.stringify(r.id)} appears twice in one call`,
      );
    }
    seen.add(r.id);
    finiteTime("eventTime", r.id, r.eventTime);
    finiteTime("recordTime", r.id, r.recordTime);
    if (r.validFrom !== undefined) finiteTime("validFrom", r.id, r.validFrom);
    if (r.validTo !== undefined) finiteTime("validTo", r.id, r.validTo);
    if (!(r.payload instanceof Uint8Array)) {
      throw new InvalidArgumentError(
        `Cannot store record ${JSON.stringify(r.id)}: payload must be a Uint8Array`,
      );
    }
    if (r.vector !== undefined) {
      if (this.#meta.dim === 0) {
        throw new InvalidArgumentError(
          `Cannot store record ${JSON.stringify(r.id)}: collection ${
            JSON.stringify(this.name)
          } has no vectors`,
        );
      }
      if (!(r.vector instanceof Float32Array) || r.vector.length !== this.#meta.dim) {
        throw new InvalidArgumentError(
          `Cannot store record ${
            JSON.stringify(r.id)
          }: vector dimension ${r.vector?.length} differs from ${this.#meta.dim}`,
        );
      }
      for (const x of r.vector) {
        if (!Number.isFinite(x)) {
          throw new InvalidArgumentError(
            `Cannot store record ${JSON.stringify(r.id)}: vector has a non-finite value`,
          );
        }
      }
    }
  }

  #unindex(batch: WriteBatch, old: StoredRecord, meta: Meta): void {
    batch.delete(this.#ks.time(SPACE.eventTime, old.eventTime, old.id));
    batch.delete(this.#ks.time(SPACE.recordTime, old.recordTime, old.id));
    if (old.text !== undefined) {
      const { docLen } = this.#lex.removeDoc(batch, old.id, old.text);
      meta.docCount--;
      meta.totalLength -= docLen;
    }
  }

  #apply(changes: Change[]): void {
    if (this.#vec) {
      for (const c of changes) {
        if (c.op === 1) this.#vec.upsert(c.label, c.vector!);
        else this.#vec.remove(c.label);
      }
    }
    this.#applied = this.#meta.change;
    if (this.#applied - this.#covered >= this.#persistEvery) void this.persistVectors().catch(() => {});
  }

  /** The record `id`, or undefined. */
  get(id: string, options: { snapshot?: Snapshot } = {}): StoredRecord | undefined {
    if (options.snapshot === undefined) return this.view(id)?.record();
    const v = this.#db.get(this.#ks.record(id), options);
    return v ? decodeRecord(id, v, `collection ${JSON.stringify(this.name)}`) : undefined;
  }

  /**
   * The record `id` with only its header decoded (times, label); text, vector and payload are decoded
   * when asked for. Cheaper than {@linkcode Collection.get} for reading a few fields of many records.
   * Without a snapshot the view may come from the record cache (`recordCacheBytes`), so it is shared:
   * do not modify the bytes it returns.
   */
  view(id: string, options: { snapshot?: Snapshot } = {}): RecordView | undefined {
    if (options.snapshot !== undefined) {
      const v = this.#db.get(this.#ks.record(id), options);
      return v ? viewRecord(id, v, `collection ${JSON.stringify(this.name)}`) : undefined;
    }
    const hit = this.#records.get(id);
    if (hit) return hit;
    const v = this.#db.get(this.#ks.record(id));
    if (!v) return undefined;
    // A copy of its own: a value from the memtable may be a window on a larger buffer, which a cached
    // view would pin; and laid out for reading the vector in place.
    const view = viewRecordCopy(id, v, `collection ${JSON.stringify(this.name)}`);
    this.#records.set(id, view, v.byteLength);
    return view;
  }

  /** Number of records. */
  get count(): number {
    return this.#meta.count;
  }

  /**
   * Ids in a time window, oldest first (or newest first with `newestFirst`), at most `limit`.
   */
  timeRange(window: TimeWindow, options: { limit?: number; newestFirst?: boolean } = {}): Candidate[] {
    const space = window.field === "record" ? SPACE.recordTime : SPACE.eventTime;
    const lo = this.#ks.timeBound(space, window.from ?? -(2 ** 52));
    const hi = window.to === undefined
      ? this.#ks.space(space + 1)
      : this.#ks.timeBound(space, Math.max(window.to, -(2 ** 52)));
    const out: Candidate[] = [];
    const limit = options.limit ?? Infinity;
    for (const [k] of this.#db.iterator({ gte: lo, lt: hi })) {
      const t = this.#ks.parseTime(k);
      out.push({ id: t.id, score: t.ms });
      if (!options.newestFirst && out.length >= limit) break;
    }
    if (options.newestFirst) {
      out.reverse();
      if (out.length > limit) out.length = limit;
    }
    return out;
  }

  /**
   * The `k` nearest records to `query`, optionally restricted by a predicate on ids and a time window.
   * Returns k results whenever at least k records pass the restrictions.
   */
  knn(
    query: Float32Array,
    k: number,
    options: { filter?: (id: string) => boolean; window?: TimeWindow; ef?: number } = {},
  ): Candidate[] {
    if (!this.#vec) {
      throw new InvalidArgumentError(`Cannot search vectors: collection "${this.name}" has none`);
    }
    let pred: ((label: number) => boolean) | undefined;
    const f = options.filter;
    if (options.window) {
      const allowed = new Set<number>();
      for (const c of this.timeRange(options.window)) {
        const l = this.#idToLabel.get(c.id);
        if (l !== undefined && (!f || f(c.id))) allowed.add(l);
      }
      pred = (l) => allowed.has(l);
    } else if (f) {
      pred = (l) => {
        const id = this.#labelToId[l];
        return id !== undefined && f(id);
      };
    }
    const opts: { filter?: (label: number) => boolean; ef?: number } = { ef: options.ef ?? this.#ef };
    if (pred) opts.filter = pred;
    return this.#vec.search(query, k, opts).map((r) => ({ id: this.#labelToId[r.label]!, score: r.score }));
  }

  /** BM25 search over the records' text. */
  bm25(query: string, k: number, options: { filter?: (id: string) => boolean } = {}): Candidate[] {
    const o: Parameters<LexicalIndex["search"]>[2] = {
      stats: { docCount: this.#meta.docCount, totalLength: this.#meta.totalLength },
    };
    if (options.filter) o.filter = options.filter;
    return this.#lex.search(query, k, o);
  }

  /**
   * The postings of `query`'s terms read once, to ask for the top k ({@linkcode LexicalQuery.top}, as
   * {@linkcode Collection.bm25}) and for the exact BM25 of any records ({@linkcode LexicalQuery.scores}).
   * Reflects the writes resolved before the call.
   */
  lexicalQuery(query: string): LexicalQuery {
    return this.#lex.prepare(query, {
      stats: { docCount: this.#meta.docCount, totalLength: this.#meta.totalLength },
    });
  }

  /**
   * The exact BM25 of each record in `ids` for `query` (0 when it holds no query term or does not exist).
   * Reads every posting of the query's terms, as a search does; to also search, use
   * {@linkcode Collection.lexicalQuery} and read them once.
   */
  bm25Scores(query: string, ids: Iterable<string>): Map<string, number> {
    return this.lexicalQuery(query).scores(ids);
  }

  /**
   * Candidates from every index that the query names, with raw scores, for the layer above to fuse.
   * The time window restricts the vector and lexical candidates too.
   */
  query(q: {
    k: number;
    vector?: Float32Array;
    text?: string;
    window?: TimeWindow;
    filter?: (id: string) => boolean;
  }): QueryCandidates {
    const out: QueryCandidates = { vector: [], lexical: [], time: [] };
    let inWindow: Set<string> | undefined;
    if (q.window) {
      out.time = this.timeRange(q.window, { newestFirst: true });
      inWindow = new Set(out.time.map((c) => c.id));
      if (q.filter) out.time = out.time.filter((c) => q.filter!(c.id));
      out.time = out.time.slice(0, q.k);
    }
    const f = q.filter;
    const pred = inWindow ? (id: string) => inWindow!.has(id) && (!f || f(id)) : f;
    if (q.vector && this.#vec) out.vector = this.knn(q.vector, q.k, pred ? { filter: pred } : {});
    if (q.text !== undefined) out.lexical = this.bm25(q.text, q.k, pred ? { filter: pred } : {});
    return out;
  }

  /** Figures for stats pages. */
  stats(): { count: number; docCount: number; vectors: number; dim: number; changesSincePersist: number } {
    return {
      count: this.#meta.count,
      docCount: this.#meta.docCount,
      vectors: this.#vec?.size ?? 0,
      dim: this.#meta.dim,
      changesSincePersist: this.#applied - this.#covered,
    };
  }

  /**
   * Saves the HNSW sidecar (when this collection has one) and trims the change log it now covers.
   * Called by {@linkcode IndexedStore.close} and periodically.
   */
  persistVectors(): Promise<void> {
    return this.#serial(async () => {
      if (!this.#sidecar || !(this.#vec instanceof HnswIndex) || this.#applied === this.#covered) return;
      const covered = this.#applied;
      await saveSidecar(this.#vec, this.#sidecar, { covered });
      const b = new WriteBatch();
      for (const [k] of this.#db.iterator({ gte: this.#ks.change(0), lte: this.#ks.change(covered) })) {
        b.delete(k);
      }
      if (b.count > 0) await this.#db.write(b);
      this.#covered = covered;
    });
  }
}
