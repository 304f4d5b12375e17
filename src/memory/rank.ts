/**
 * Ranks a recall's candidates: the hybrid ranker of src/recall/ (weighted fusion of min-max normalised
 * BM25 and cosine, context smoothing over thread neighbours, thread boost, closeness to the query's dates)
 * times the memory's own multipliers (importance, consolidation level κ, recency).
 *
 * ```
 * base  = fused + context + thread + temporal          (src/recall/hybrid_ranker.ts)
 *       + time2vec                                     (time2vec.ts of cortex/, below)
 * total = base · (1 + importance + kappa + recency)
 * ```
 *
 * The Time2Vec part compares the periodic terms of the event time's encoding (daily, weekly and yearly
 * cycles, {@linkcode createTime2VecParams}'s defaults) with those of the query's reference time: the
 * middle of each date the query names (the best cue counts), or the recall's `now` when it names none,
 * so that a question asked on a Monday evening leans towards Monday-evening memories. Its default weight
 * is 0: on LoCoMo it never helped (`bench/LOCOMO_NOTES.md`, "Time2Vec"), so it stays a measured option.
 *
 * Every weight is a named parameter, and `explain` reports each part, so a caller can see why a memory
 * ranked where it did. The defaults of the hybrid part were chosen on the development half of LoCoMo
 * (`bench/LOCOMO_NOTES.md`); the multipliers are 1 for a memory of default importance 0.5 and κ 0.
 *
 * @module
 */
import { createTime2VecParams, time2vec, time2vecSimilarity } from "../../cortex/time2vec.ts";
import { rankHybrid } from "../recall/hybrid_ranker.ts";
import type { TimeCue } from "../recall/temporal_cues.ts";

/** Ranking parameters. */
export interface RankWeights {
  /** Candidates taken from each index (vector, BM25) before score completion. @default 100 */
  candidates: number;
  /** Weight of the min-max normalised BM25 score in the fusion. @default 0.5 */
  lexical: number;
  /** Weight of the min-max normalised cosine similarity in the fusion. @default 0.5 */
  vector: number;
  /** Share of the better thread neighbour's fused score added to a memory. @default 0.3 */
  context: number;
  /** Share of the thread's score (mean of its `threadTop` best) added to a memory. @default 0.3 */
  thread: number;
  /** How many of a thread's best memories make its score. @default 3 */
  threadTop: number;
  /** Weight of the closeness of a memory's event time to the dates the query names. @default 0.4 */
  temporal: number;
  /** Decay scale of that closeness outside a named date's range, in days. @default 7 */
  temporalScaleDays: number;
  /**
   * Weight of the Time2Vec similarity (−1..1) of a memory's event time to the query's reference time:
   * the middle of each date cue, or `now` without cues. 0 by default because no weight measured on
   * LoCoMo (0.05 to 0.2) raised recall@10 (`bench/LOCOMO_NOTES.md`, "Time2Vec").
   *
   * @default 0 (off)
   */
  time2vec: number;
  /** Multiplier per unit of importance above 0.5. @default 0.2 */
  importance: number;
  /** Multiplier per unit of consolidation level κ. @default 0.1 */
  kappa: number;
  /** Multiplier for recency, exp(-age · ln2 / recencyHalfLifeDays). @default 0 (off) */
  recency: number;
  /** Half-life of recency, days. @default 30 */
  recencyHalfLifeDays: number;
}

/** Default ranking parameters. */
export const DEFAULT_WEIGHTS: RankWeights = {
  candidates: 100,
  lexical: 0.5,
  vector: 0.5,
  context: 0.3,
  thread: 0.3,
  threadTop: 3,
  temporal: 0.4,
  temporalScaleDays: 7,
  time2vec: 0,
  importance: 0.2,
  kappa: 0.1,
  recency: 0,
  recencyHalfLifeDays: 30,
};

/** What each part contributes to a recalled memory's score. */
export interface ScoreParts {
  /** Rank among the vector index's candidates, 1-based; absent when it was not one. */
  vectorRank?: number;
  /** Cosine similarity of the query to the memory's stored vector (exact, whether or not a candidate). */
  vectorScore?: number;
  /** Rank among the BM25 index's candidates, 1-based; absent when it was not one. */
  lexicalRank?: number;
  /** BM25 score of the memory for the query's terms (exact; 0 when it shares none). */
  lexicalScore?: number;
  /** `vectorScore` min-max normalised over the ranked memories, 0..1. */
  dense: number;
  /** `lexicalScore` min-max normalised over the ranked memories, 0..1. */
  lexical: number;
  /** `vector · dense + lexical · lexical` (weights of {@linkcode RankWeights}). */
  fused: number;
  /** Borrowed from the better of its thread neighbours: `context · max(fused(prev), fused(next))`. */
  context: number;
  /** Its thread's strength: `thread · mean of the thread's threadTop best (fused + context)`. */
  thread: number;
  /** Closeness of its event time to the dates the query names, times `temporal`. */
  temporal: number;
  /** Time2Vec similarity of its event time to the query's reference time, times `time2vec`. */
  time2vec: number;
  /** Multiplier part from importance: `importance · (importance − 0.5)`. */
  importance: number;
  /** Multiplier part from κ: `kappa · κ`. */
  kappa: number;
  /** Multiplier part from recency. */
  recency: number;
  /** `(fused + context + thread + temporal + time2vec) · (1 + importance + kappa + recency)`. */
  total: number;
}

/** What the ranking needs to know about a memory besides its scores. */
export interface Features {
  eventTime: number;
  /** Its session, if any. */
  thread?: string | undefined;
  /** The memory before it in its session. */
  prev?: string | undefined;
  /** The memory after it in its session. */
  next?: string | undefined;
}

/** The scored memories of one recall. */
export interface Pool {
  /** Exact BM25 of every memory to rank. */
  lexical: ReadonlyMap<string, number>;
  /** Exact cosine of every memory to rank. */
  dense: ReadonlyMap<string, number>;
  /** Rank of each lexical candidate, 1-based. */
  lexicalRank: ReadonlyMap<string, number>;
  /** Rank of each vector candidate, 1-based. */
  vectorRank: ReadonlyMap<string, number>;
}

/**
 * Ranks a pool of memories, best first (ties by id). Thread neighbours of pool memories that are not in
 * the pool are ranked too, on the context they borrow; `features` returning undefined leaves a memory
 * out (for example one that fails the recall's filters).
 *
 * The multipliers need each memory's importance and κ, which may cost a read; `weightsOf` is asked only
 * down the ranking as far as a memory could still enter the best `k`: the hybrid score plus the largest
 * Time2Vec part, times the largest possible multiplier, bounds every total from above, so the first `k`
 * are exact (and so is their order).
 *
 * @param pool Exact scores of the memories to rank.
 * @param features Facts about a memory; called at most a few times per id, so cache if it is costly.
 * @param o The reference time (for recency, and for Time2Vec when there are no cues), the query's date
 * cues, the weights, each memory's importance and κ, and how many results are needed.
 * @returns The best memories with their parts: at least the first `k`.
 *
 * @example A memory both indexes rank first wins, and its neighbour follows
 * ```ts
 * import { DEFAULT_WEIGHTS, rankPool } from "./rank.ts";
 * const f = (thread: string, prev?: string, next?: string) => ({ eventTime: 0, thread, prev, next });
 * const facts: Record<string, ReturnType<typeof f>> = { a: f("s", undefined, "b"), b: f("s", "a"), x: f("t") };
 * const r = rankPool({
 *   lexical: new Map([["a", 3], ["x", 1]]),
 *   dense: new Map([["a", 0.6], ["x", 0.5]]),
 *   lexicalRank: new Map([["a", 1], ["x", 2]]),
 *   vectorRank: new Map([["a", 1], ["x", 2]]),
 * }, (id) => facts[id], {
 *   now: 0, cues: [], weights: DEFAULT_WEIGHTS, k: 10, weightsOf: () => ({ importance: 0.5, kappa: 0 }),
 * });
 * if (r.map((x) => x.id).join() !== "a,b,x") throw new Error(JSON.stringify(r));
 * ```
 */
export function rankPool(
  pool: Pool,
  features: (id: string) => Features | undefined,
  o: {
    now: number;
    cues: readonly TimeCue[];
    weights: RankWeights;
    weightsOf: (id: string) => { importance: number; kappa: number } | undefined;
    k: number;
  },
): { id: string; parts: ScoreParts }[] {
  const w = o.weights;
  const ranked = rankHybrid({ lexical: pool.lexical, dense: pool.dense }, {
    facts: features,
    cues: o.cues,
    lexicalWeight: w.lexical,
    denseWeight: w.vector,
    contextWeight: w.context,
    threadWeight: w.thread,
    threadTop: w.threadTop,
    timeWeight: w.temporal,
    timeScaleMs: w.temporalScaleDays * 86_400_000,
  });
  // Upper bound of 1 + importance + kappa + recency, for importance and κ in [0, 1]; with a negative
  // weight it could reach 0 or below, and then nothing is skipped.
  const lowest = 1 - Math.abs(w.importance) / 2 + Math.min(0, w.kappa) + Math.min(0, w.recency);
  const highest = 1 + Math.abs(w.importance) / 2 + Math.max(0, w.kappa) + Math.max(0, w.recency);
  const refs = w.time2vec === 0 ? [] : referenceEncodings(o.now, o.cues);
  const t2v = new Float32Array(T2V.omega.length); // [K], reused per memory
  const out: { id: string; parts: ScoreParts }[] = [];
  const best: number[] = []; // the k best totals so far, ascending
  for (const r of ranked) {
    // The Time2Vec part is at most |time2vec| (a similarity is in [-1, 1]), and r.score only falls.
    const bound = r.score + Math.abs(w.time2vec);
    if (lowest > 0 && best.length >= o.k && bound * (bound >= 0 ? highest : lowest) < best[0]!) break;
    const f = features(r.id);
    const mw = f && o.weightsOf(r.id);
    if (!f || !mw) continue;
    const c = r.components;
    const ageDays = Math.max(0, (o.now - f.eventTime) / 86_400_000);
    const parts: ScoreParts = {
      dense: c.dense,
      lexical: c.lexical,
      fused: c.fused,
      context: c.context,
      thread: c.thread,
      temporal: c.time,
      time2vec: refs.length === 0 ? 0 : w.time2vec * bestSimilarity(time2vec(f.eventTime, t2v, T2V), refs),
      importance: w.importance * (mw.importance - 0.5),
      kappa: w.kappa * mw.kappa,
      recency: w.recency === 0 ? 0 : w.recency * Math.exp(-ageDays * Math.LN2 / w.recencyHalfLifeDays),
      total: 0,
    };
    const vs = pool.dense.get(r.id), ls = pool.lexical.get(r.id);
    const vr = pool.vectorRank.get(r.id), lr = pool.lexicalRank.get(r.id);
    if (vs !== undefined) parts.vectorScore = vs;
    if (vr !== undefined) parts.vectorRank = vr;
    if (ls !== undefined) parts.lexicalScore = ls;
    if (lr !== undefined) parts.lexicalRank = lr;
    parts.total = (r.score + parts.time2vec) * (1 + parts.importance + parts.kappa + parts.recency);
    out.push({ id: r.id, parts });
    if (best.length < o.k || parts.total > best[0]!) {
      best.splice(insertAt(best, parts.total), 0, parts.total);
      if (best.length > o.k) best.shift();
    }
  }
  out.sort((a, b) => b.parts.total - a.parts.total || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

/** Time2Vec with its initial daily (3 harmonics), weekly (2) and yearly (2) terms; K = 15. */
const T2V = createTime2VecParams();

/**
 * The Time2Vec encodings of a query's reference times: the middle of each date cue's range, or `now`
 * when the query names no date.
 */
function referenceEncodings(now: number, cues: readonly TimeCue[]): Float32Array[] {
  const times = cues.length > 0 ? cues.map((c) => c.startMs + (c.endMs - c.startMs) / 2) : [now];
  return times.map((t) => time2vec(t, new Float32Array(T2V.omega.length), T2V));
}

/** The highest Time2Vec similarity of an encoding to any of the references. */
function bestSimilarity(enc: Float32Array, refs: readonly Float32Array[]): number {
  let best = -Infinity;
  for (const r of refs) best = Math.max(best, time2vecSimilarity(enc, r));
  return best;
}

/** Where `x` goes in the ascending `xs` (after equal values). */
function insertAt(xs: readonly number[], x: number): number {
  let lo = 0, hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
