/**
 * The k-NN measurement of the index benchmark: builds an {@linkcode HnswIndex} by inserting straight
 * into it, takes exact answers (and the reference latency) from {@linkcode BruteForceIndex} over the same
 * rows, then sweeps the search beam `ef` and reports recall@10 and latency at each value.
 *
 * @module
 */
import { BruteForceIndex } from "../engine/indexes/brute_force_index.ts";
import { HnswIndex } from "../engine/indexes/hnsw_index.ts";
import { row, type VectorSet } from "./_indexes_data.ts";
import { latency, log, progress, round } from "./_indexes_stats.ts";

/** Neighbours asked for. */
export const K = 10;
/**
 * The search beam a collection uses unless told otherwise (`o.ef ?? 128` in collection.ts; `HnswIndex`
 * alone defaults to 64): the figures reported at the top level are the sweep's point at this ef.
 */
export const DEFAULT_EF = 128;
/** The ef values always measured; the sweep doubles on past the last one while recall stays below target. */
export const EF_SWEEP: readonly number[] = [16, 32, 64, 128, 256];
/** Recall the report names the smallest sufficient ef for. */
export const RECALL_TARGET = 0.95;
const EF_MAX = 2048;

/** One point of the ef sweep. */
export interface SweepPoint {
  ef: number;
  recall_at_10: number;
  p50_ms: number;
  p99_ms: number;
}

/** What one data set scored. */
export interface KnnFigures {
  dataset: string;
  description: string;
  /** Wall time to insert all rows into the HNSW index, one `upsert` each. */
  build_s: number;
  inserts_per_s: number;
  /** The ef of the top-level figures ({@linkcode DEFAULT_EF}). */
  ef: number;
  recall_at_10: number;
  p50_ms: number;
  p99_ms: number;
  /** Exact search over the same rows (`BruteForceIndex.search`), the reference. */
  brute_force_p50_ms: number;
  brute_force_p99_ms: number;
  /** Smallest swept ef with recall@10 ≥ {@linkcode RECALL_TARGET}; null when none reached it. */
  ef_for_recall_0_95: number | null;
  sweep: SweepPoint[];
}

/** Graph parameters the index was built with (its defaults), for the report. */
export interface GraphParams {
  M: number;
  efConstruction: number;
}

/**
 * Builds, searches and scores one data set. Synchronous: the indexes are.
 *
 * @param set The rows and queries.
 * @param o `warmup`: untimed queries before each timed pass.
 */
export function measureKnn(set: VectorSet, o: { warmup: number }): KnnFigures & GraphParams {
  const { n, dim, nq, data, queries } = set;
  log(`knn ${set.name} ${n}x${dim}: building HNSW`);
  const index = new HnswIndex({ dim, metric: "cosine" });
  const tick = progress("hnsw upsert", n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    index.upsert(i, row(data, dim, i));
    tick(i + 1);
  }
  const buildMs = performance.now() - t0;

  log(`knn ${set.name}: exact answers from BruteForceIndex`);
  const exact = new BruteForceIndex({ dim, metric: "cosine", initialCapacity: n });
  for (let i = 0; i < n; i++) exact.upsert(i, row(data, dim, i));
  for (let q = 0; q < Math.min(o.warmup, nq, 3); q++) exact.search(row(queries, dim, q), K);
  const truth: Set<number>[] = [];
  const bfMs: number[] = [];
  for (let q = 0; q < nq; q++) {
    const t = performance.now();
    const hits = exact.search(row(queries, dim, q), K);
    bfMs.push(performance.now() - t);
    truth.push(new Set(hits.map((h) => h.label)));
  }
  const bf = latency(bfMs);

  const sweep: SweepPoint[] = [];
  const efs = [...EF_SWEEP];
  for (let i = 0; i < efs.length; i++) {
    const ef = efs[i]!;
    for (let q = 0; q < Math.min(o.warmup, nq); q++) index.search(row(queries, dim, q), K, { ef });
    const ms: number[] = [];
    let found = 0;
    for (let q = 0; q < nq; q++) {
      const t = performance.now();
      const hits = index.search(row(queries, dim, q), K, { ef });
      ms.push(performance.now() - t);
      for (const h of hits) if (truth[q]!.has(h.label)) found++;
    }
    const point = { ef, recall_at_10: round(found / (nq * K), 4), ...latency(ms) };
    sweep.push(point);
    log(`  ef ${ef}: recall@10 ${point.recall_at_10}, p50 ${point.p50_ms} ms, p99 ${point.p99_ms} ms`);
    if (i === efs.length - 1 && point.recall_at_10 < RECALL_TARGET && ef * 2 <= EF_MAX) efs.push(ef * 2);
  }
  const at = sweep.find((p) => p.ef === DEFAULT_EF)!;
  return {
    dataset: set.name,
    description: set.description,
    M: index.M,
    efConstruction: index.efConstruction,
    build_s: round(buildMs / 1000, 2),
    inserts_per_s: Math.round(n / (buildMs / 1000)),
    ef: DEFAULT_EF,
    recall_at_10: at.recall_at_10,
    p50_ms: at.p50_ms,
    p99_ms: at.p99_ms,
    brute_force_p50_ms: bf.p50_ms,
    brute_force_p99_ms: bf.p99_ms,
    ef_for_recall_0_95: sweep.find((p) => p.recall_at_10 >= RECALL_TARGET)?.ef ?? null,
    sweep,
  };
}
