/**
 * The recall pipeline over one namespace's indexes (results and figures: `bench/LOCOMO_NOTES.md`):
 *
 * 1. Query. Date cues are found in the question relative to "now" (src/recall/temporal_cues.ts); the
 *    BM25 query is the question's words without question words (src/recall/query_terms.ts), which the
 *    index stems like its documents; the vector query is the question's embedding as it is.
 * 2. Candidates. The `candidates` best of the vector index and of the BM25 index, among the memories
 *    that pass the recall's filters.
 * 3. Neighbours. The memories before and after each candidate in its session join the pool.
 * 4. Score completion. Every memory in the pool gets its exact score in both indexes: the cosine with
 *    its stored vector and its BM25 from the postings the search already read, so no memory scores 0 in
 *    one index for falling just below the other's cut.
 * 5. Ranking (rank.ts): fusion, context smoothing, thread boost, date closeness, multipliers.
 *
 * @module
 */
import type { Collection } from "../../engine/indexes/collection.ts";
import type { RecordView } from "../../engine/indexes/record_codec.ts";
import { splitWords } from "../../engine/indexes/tokenizer.ts";
import { queryTerms } from "../recall/query_terms.ts";
import { findTimeCues } from "../recall/temporal_cues.ts";
import { type Features, rankPool, type RankWeights, type ScoreParts } from "./rank.ts";
import type { Link } from "./threads.ts";

/** What the pipeline reads about memories; the caller caches, since each is asked more than once. */
export interface RecallSource {
  /** The namespace's collection. */
  collection: Collection;
  /** A memory's place in its thread. */
  link(id: string): Link | undefined;
  /** A memory's stored record, decoded on demand. */
  record(id: string): RecordView | undefined;
  /** A memory's importance and consolidation level. */
  weightsOf(id: string): { importance: number; kappa: number } | undefined;
  /** Whether a memory passes the recall's validity, window and filters. */
  pass(id: string): boolean;
}

/** One recall's query. */
export interface HybridQuery {
  /** The question. */
  text: string;
  /** Its embedding. */
  vector: Float32Array;
  /** Reference time for the dates the question names, ms. */
  now: number;
  /** How many results the caller needs (raises the candidate depth when larger). */
  k: number;
  /** Ranking parameters. */
  weights: RankWeights;
}

/** Timings of one recall's stages, ms. */
export interface RecallTimings {
  cues: number;
  candidates: number;
  /** The part of `candidates` spent in the vector index. */
  vector: number;
  /** The part of `candidates` spent in the BM25 index. */
  lexical: number;
  pool: number;
  rank: number;
  /** Size of the ranked pool. */
  poolSize: number;
}

/**
 * The lexical query text: the question's words without question words, joined. The index stems them.
 *
 * @example
 * ```ts
 * import { lexicalQueryText } from "./hybrid_recall.ts";
 * const got = lexicalQueryText("What kind of paintings did Melanie make?");
 * if (got !== "paintings melanie make") throw new Error(got);
 * ```
 */
export function lexicalQueryText(question: string): string {
  return queryTerms(splitWords(question)).join(" ");
}

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  return n > 0 ? v.map((x) => x / n) : v;
}

/** The dot product of two vectors of one length, on four running sums (twice as fast as one here). */
function dot(a: Float32Array, b: Float32Array): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n = a.length, n4 = n - (n % 4);
  let i = 0;
  for (; i < n4; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (; i < n; i++) s0 += a[i]! * b[i]!;
  return (s0 + s1) + (s2 + s3);
}

/**
 * Ranks the memories of one namespace for a query.
 *
 * @param src Reads of the namespace's memories.
 * @param q The query.
 * @param timings Filled with each stage's time when given.
 * @returns The best memories that pass the filters, best first, with their score parts: at least the
 * first `q.k` (fewer only when fewer pass).
 */
export function hybridRecall(
  src: RecallSource,
  q: HybridQuery,
  timings?: RecallTimings,
): { id: string; parts: ScoreParts }[] {
  const c = src.collection;
  const w = q.weights;
  const n = Math.max(w.candidates, q.k);
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const d = now - t;
    t = now;
    return d;
  };
  const cues = findTimeCues(q.text, q.now);
  const cueMs = lap();

  // Candidates. The vector search runs unfiltered first: with few memories filtered out that is cheaper
  // than calling the filter from inside the graph search, which is the fallback.
  let vec = c.knn(q.vector, n).filter((x) => src.pass(x.id));
  if (vec.length < n / 2 && c.count > vec.length) vec = c.knn(q.vector, n, { filter: (id) => src.pass(id) });
  const vectorMs = performance.now() - t;
  // The lexical top likewise: unfiltered first, checked afterwards. When all of it passes it is the filtered
  // top as well (the filter, which reads a record per call, would have run on every memory that entered
  // the heap on the way: several times n on long postings lists); else the filtered search, as before.
  const lexText = lexicalQueryText(q.text);
  const lq = lexText ? c.lexicalQuery(lexText) : undefined;
  let lex = lq ? lq.top(n) : [];
  if (!lex.every((x) => src.pass(x.id))) lex = lq!.top(n, { filter: (id) => src.pass(id) });
  const candMs = lap();

  // Pool: the candidates and their thread neighbours.
  const pool = new Set<string>();
  for (const x of vec) pool.add(x.id);
  for (const x of lex) pool.add(x.id);
  for (const id of [...pool]) {
    const l = src.link(id);
    if (l?.p !== undefined && src.pass(l.p)) pool.add(l.p);
    if (l?.n !== undefined && src.pass(l.n)) pool.add(l.n);
  }
  const qv = unit(q.vector);
  const dense = new Map<string, number>();
  for (const id of pool) {
    const v = src.record(id)?.vectorView();
    if (v) dense.set(id, dot(qv, v));
  }
  // A lexical candidate's score from the search is bit-equal to what `scores` would give (LexicalQuery):
  // look up only the others.
  const lexical = new Map<string, number>();
  if (lq) {
    const known = new Map(lex.map((x) => [x.id, x.score]));
    const found = lq.scores([...pool].filter((id) => !known.has(id)));
    for (const id of pool) lexical.set(id, known.get(id) ?? found.get(id)!);
  } else {
    for (const id of pool) lexical.set(id, 0);
  }
  const poolMs = lap();

  const cache = new Map<string, Features | undefined>();
  const features = (id: string): Features | undefined => {
    if (cache.has(id)) return cache.get(id);
    let f: Features | undefined;
    const r = src.pass(id) ? src.record(id) : undefined;
    if (r) {
      const l = src.link(id);
      f = { eventTime: r.eventTime };
      if (l) {
        f.thread = l.s;
        f.prev = l.p;
        f.next = l.n;
      }
    }
    cache.set(id, f);
    return f;
  };
  const ranked = rankPool(
    {
      lexical,
      dense,
      lexicalRank: new Map(lex.map((x, i) => [x.id, i + 1])),
      vectorRank: new Map(vec.map((x, i) => [x.id, i + 1])),
    },
    features,
    { now: q.now, cues, weights: w, weightsOf: (id) => src.weightsOf(id), k: q.k },
  );
  if (timings) {
    Object.assign(timings, {
      cues: cueMs,
      candidates: candMs,
      vector: vectorMs,
      lexical: candMs - vectorMs,
      pool: poolMs,
      rank: lap(),
      poolSize: pool.size,
    });
  }
  return ranked;
}
