/**
 * The measurements of the index benchmark that go through a real {@linkcode IndexedStore} on disk:
 * end-to-end puts into a vector collection, closing and reopening a large vector collection (sidecar
 * load plus change-log catch-up, against a rebuild without sidecar files), and BM25 queries over a
 * text-only collection.
 *
 * @module
 */
import type { T4DX } from "../engine/db.ts";
import { BruteForceIndex } from "../engine/indexes/brute_force_index.ts";
import type { Collection } from "../engine/indexes/collection.ts";
import { IndexedStore } from "../engine/indexes/indexed_store.ts";
import type { IndexedRecord } from "../engine/indexes/record_codec.ts";
import { mulberry32 } from "../engine/util/rng.ts";
import { corpus, documentText, queryText, row, type VectorSet } from "./_indexes_data.ts";
import { DEFAULT_EF, K } from "./_indexes_knn.ts";
import { latency, log, progress, round } from "./_indexes_stats.ts";

const EMPTY = new Uint8Array(0);
const T0 = Date.UTC(2025, 0, 1);
/** Records per put call when loading a collection. */
const LOAD_BATCH = 500;

/** The engine's compaction triggers at their defaults (`OpenOptions` in engine/db.ts). */
const L0_TRIGGER = 4, LEVEL_BASE_BYTES = 16 << 20, LEVEL_MULTIPLIER = 10;
const SETTLE_LIMIT_MS = 300_000;

function levelsText(db: T4DX): string {
  return db.stats().levels.filter((l) => l.files > 0).map((l) => `L${l.level}:${l.files}`).join(" ");
}

/**
 * Flushes, then waits (yielding to the engine's background loop) until no level is over its compaction
 * trigger and no compaction finished for half a second, so that what is timed next does not share the
 * thread with a bulk load's compaction backlog. Returns the wait in ms.
 */
async function settle(db: T4DX): Promise<number> {
  const t0 = performance.now();
  await db.flush();
  let last = -1, quietSince = performance.now();
  while (performance.now() - t0 < SETTLE_LIMIT_MS) {
    const s = db.stats();
    const over = s.immutableMemtable ||
      s.levels.some((l) =>
        l.level === 0
          ? l.files >= L0_TRIGGER
          : l.level < s.levels.length - 1 && l.bytes > LEVEL_BASE_BYTES * LEVEL_MULTIPLIER ** (l.level - 1)
      );
    if (s.compactions !== last) {
      last = s.compactions;
      quietSince = performance.now();
    } else if (!over && performance.now() - quietSince >= 500) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return round(performance.now() - t0, 1);
}

function vectorRecord(set: VectorSet, i: number): IndexedRecord {
  return {
    id: `v${i}`,
    eventTime: T0 + i,
    recordTime: T0 + i,
    vector: row(set.data, set.dim, i),
    payload: EMPTY,
  };
}

/** Puts rows `[from, from + count)` in calls of `batch` records; returns the wall time in ms. */
async function putRows(
  c: Collection,
  make: (i: number) => IndexedRecord,
  o: { from: number; count: number; batch: number; what: string },
): Promise<number> {
  const tick = progress(o.what, o.count);
  const t0 = performance.now();
  for (let done = 0; done < o.count;) {
    const m = Math.min(o.batch, o.count - done);
    const recs: IndexedRecord[] = [];
    for (let j = 0; j < m; j++) recs.push(make(o.from + done + j));
    await c.put(recs);
    tick(done += m);
  }
  return performance.now() - t0;
}

/** End-to-end put cost through a vector collection (record, time index, change log, HNSW). */
export interface PutFigures {
  /** Live vectors in the collection before the first timed put. */
  graph_size_at_start: number;
  batched_records: number;
  batch: number;
  batched_ms_per_record: number;
  single_records: number;
  single_ms_per_record: number;
}

async function timedPuts(
  c: Collection,
  set: VectorSet,
  o: { from: number; batched: number; batch: number; singles: number },
): Promise<PutFigures> {
  const make = (i: number) => vectorRecord(set, i);
  const start = c.stats().vectors;
  const b = await putRows(c, make, { from: o.from, count: o.batched, batch: o.batch, what: "put batched" });
  const s = await putRows(c, make, {
    from: o.from + o.batched,
    count: o.singles,
    batch: 1,
    what: "put single",
  });
  return {
    graph_size_at_start: start,
    batched_records: o.batched,
    batch: o.batch,
    batched_ms_per_record: round(b / o.batched),
    single_records: o.singles,
    single_ms_per_record: round(s / o.singles),
  };
}

/** Puts rows of `set` into a fresh vector collection in `dir` (HNSW, default options). */
export async function measureCollectionPut(
  dir: string,
  set: VectorSet,
  o: { batched: number; batch: number; singles: number },
): Promise<PutFigures> {
  log(`collection put ${set.name} ${set.dim}-d: ${o.batched} in calls of ${o.batch}, ${o.singles} singly`);
  const store = await IndexedStore.open(dir);
  try {
    const c = await store.collection("put", { dim: set.dim });
    return await timedPuts(c, set, { from: 0, ...o });
  } finally {
    await store.close();
  }
}

/** Reopen figures of a vector collection. */
export interface ReopenFigures {
  dataset: string;
  records: number;
  dim: number;
  /** Loading `records - tail` rows into a collection opened `exact` (engine writes, no graph). */
  load_ms_per_record: number;
  /** Open with no sidecar files: the graph is rebuilt from the records. */
  rebuild_ms: number;
  rebuild_source: string;
  /** Writing the sidecar after the rebuild. */
  persist_ms: number;
  sidecar_bytes: number;
  /** Open with the sidecar plus `catch_up_changes` changes logged after it. */
  sidecar_ms: number;
  catch_up_changes: number;
  sidecar_source: string;
  /** Open again after a clean close: sidecar only, nothing to catch up. */
  sidecar_clean_ms: number;
  /** Of `sidecar_ms`, opening the engine itself (WAL replay, manifest). */
  engine_open_ms: number;
  /** `Collection.knn` at the default ef after the sidecar open, against exact answers. */
  recall_at_10_after_reopen: number;
  /**
   * The tail puts, into a collection already holding `records - tail` vectors, after waiting
   * `settle_ms` for the load's compaction backlog.
   */
  collection_put: PutFigures & { settle_ms: number };
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of Deno.readDirSync(dir)) if (e.isFile) n += Deno.statSync(`${dir}/${e.name}`).size;
  return n;
}

async function timedOpen(dir: string, dim: number) {
  const t0 = performance.now();
  const store = await IndexedStore.open(dir);
  const t1 = performance.now();
  const c = await store.collection("vec", { dim });
  const t2 = performance.now();
  return { store, c, ms: round(t2 - t0, 1), engineMs: round(t1 - t0, 1) };
}

/**
 * Loads `set` into a collection, then times its reopen three ways: without sidecar files (rebuild), with
 * a sidecar that `tail` later changes must catch up on, and with an up-to-date sidecar.
 *
 * The load uses an `exact` collection, which writes no sidecar, so the first HNSW open finds no sidecar
 * files and rebuilds: the same path as deleting them, without paying for a graph build just to throw it
 * away. Then the graph is persisted, `tail` more records are put (timed: the end-to-end put figure at
 * this size), and only the engine is closed, so the tail lives in the change log alone.
 */
export async function measureReopen(
  dir: string,
  set: VectorSet,
  o: { tail: number; singles: number; batch: number; checkQueries: number },
): Promise<ReopenFigures> {
  const { n, dim } = set;
  const base = n - o.tail;
  log(`reopen ${set.name} ${n}x${dim}: loading ${base} records into an exact collection`);
  let store = await IndexedStore.open(dir);
  const exact = await store.collection("vec", { dim, exact: true });
  const make = (i: number) => vectorRecord(set, i);
  const loadMs = await putRows(exact, make, { from: 0, count: base, batch: LOAD_BATCH, what: "load" });
  await store.close();
  const vectors = `${dir}/vectors`;
  for (const e of Deno.readDirSync(vectors)) Deno.removeSync(`${vectors}/${e.name}`);

  log(`reopen: rebuild (no sidecar files)`);
  const rebuilt = await timedOpen(dir, dim);
  const t = performance.now();
  await rebuilt.c.persistVectors();
  const persistMs = performance.now() - t;
  const sidecarBytes = dirBytes(vectors);
  log(`  rebuild ${rebuilt.ms} ms (${rebuilt.c.vectorSource}), persist ${round(persistMs, 1)} ms`);
  const settleMs = await settle(rebuilt.store.engine);
  log(`  settled in ${settleMs} ms (${levelsText(rebuilt.store.engine)})`);
  const puts = await timedPuts(rebuilt.c, set, {
    from: base,
    batched: o.tail - o.singles,
    batch: o.batch,
    singles: o.singles,
  });
  await rebuilt.store.engine.close(); // not store.close(): that would persist the tail into the sidecar

  log(`reopen: sidecar + ${o.tail} changes to catch up`);
  const loaded = await timedOpen(dir, dim);
  store = loaded.store;
  log(`  sidecar ${loaded.ms} ms (${loaded.c.vectorSource}), engine open ${loaded.engineMs} ms`);
  const check = new BruteForceIndex({ dim, metric: "cosine", initialCapacity: n });
  for (let i = 0; i < n; i++) check.upsert(i, row(set.data, dim, i));
  let found = 0;
  const nq = Math.min(o.checkQueries, set.nq);
  for (let q = 0; q < nq; q++) {
    const query = row(set.queries, dim, q);
    const want = new Set(check.search(query, K).map((h) => `v${h.label}`));
    for (const h of loaded.c.knn(query, K, { ef: DEFAULT_EF })) if (want.has(h.id)) found++;
  }
  await store.close();

  log(`reopen: sidecar after a clean close`);
  const clean = await timedOpen(dir, dim);
  log(`  sidecar ${clean.ms} ms (${clean.c.vectorSource})`);
  await clean.store.close();
  return {
    dataset: set.name,
    records: n,
    dim,
    load_ms_per_record: round(loadMs / base),
    rebuild_ms: rebuilt.ms,
    rebuild_source: rebuilt.c.vectorSource,
    persist_ms: round(persistMs, 1),
    sidecar_bytes: sidecarBytes,
    sidecar_ms: loaded.ms,
    catch_up_changes: o.tail,
    sidecar_source: loaded.c.vectorSource,
    sidecar_clean_ms: clean.ms,
    engine_open_ms: loaded.engineMs,
    recall_at_10_after_reopen: round(found / (nq * K), 4),
    collection_put: { ...puts, settle_ms: settleMs },
  };
}

/** BM25 figures over a text-only collection. */
export interface Bm25Figures {
  docs: number;
  vocabulary: number;
  zipf_s: number;
  mean_doc_words: number;
  query_words: string;
  queries: number;
  k: number;
  /** Latency with query words drawn by the same Zipf law as the documents (common words: long lists). */
  p50_ms: number;
  p99_ms: number;
  /** Latency with query words drawn uniformly from the vocabulary (mostly rare words). */
  uniform_words: { p50_ms: number; p99_ms: number };
  load_ms_per_doc: number;
  /** Zipf-word latency right after the load, with its compaction backlog (`levels_after_load`). */
  right_after_load: { p50_ms: number; p99_ms: number; levels_after_load: string };
  /** Wait for the backlog before the main figures (see `settle`). */
  settle_ms: number;
  /** Table layout for the main figures. */
  levels: string;
}

/** Loads `docs` Zipf documents into a text-only collection in `dir` and times BM25 queries. */
export async function measureBm25(
  dir: string,
  o: { docs: number; queries: number; warmup: number; seed: number },
): Promise<Bm25Figures> {
  const VOCAB = 20_000, S = 1.0;
  const c0 = corpus(VOCAB, S, o.seed);
  log(`bm25: loading ${o.docs} documents (vocabulary ${VOCAB}, Zipf s=${S})`);
  const store = await IndexedStore.open(dir);
  try {
    const c = await store.collection("text");
    const docRng = mulberry32(o.seed ^ 0xd0c5);
    let words = 0;
    const make = (i: number): IndexedRecord => {
      const text = documentText(c0, docRng);
      words += text.split(" ").length;
      return { id: `d${i}`, eventTime: T0 + i, recordTime: T0 + i, text, payload: EMPTY };
    };
    const loadMs = await putRows(c, make, { from: 0, count: o.docs, batch: LOAD_BATCH, what: "load" });
    await store.engine.flush();
    const run = (mode: "zipf" | "uniform", pass = 0) => {
      const rng = mulberry32(o.seed ^ (mode === "zipf" ? 0x2f1 : 0x0f1) ^ (pass << 16));
      for (let q = 0; q < o.warmup; q++) c.bm25(queryText(c0, rng, mode), K);
      const ms: number[] = [];
      for (let q = 0; q < o.queries; q++) {
        const text = queryText(c0, rng, mode);
        const t = performance.now();
        c.bm25(text, K);
        ms.push(performance.now() - t);
      }
      const l = latency(ms);
      log(`  bm25 ${mode} words: p50 ${l.p50_ms} ms, p99 ${l.p99_ms} ms (${levelsText(store.engine)})`);
      return l;
    };
    const early = { ...run("zipf", 1), levels_after_load: levelsText(store.engine) };
    const settleMs = await settle(store.engine);
    const zipf = run("zipf");
    const uniform = run("uniform");
    return {
      docs: o.docs,
      vocabulary: VOCAB,
      zipf_s: S,
      mean_doc_words: round(words / o.docs, 2),
      query_words: "2-4 distinct",
      queries: o.queries,
      k: K,
      ...zipf,
      uniform_words: uniform,
      load_ms_per_doc: round(loadMs / o.docs),
      right_after_load: early,
      settle_ms: settleMs,
      levels: levelsText(store.engine),
    };
  } finally {
    await store.close();
  }
}
