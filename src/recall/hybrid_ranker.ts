/**
 * The hybrid ranker: the candidates of the lexical and vector indexes in, one explained ranking out.
 *
 * ```
 * fused   = wLex · minmax(bm25) + wDense · minmax(cosine)        (fusion.ts; or RRF, rescaled to [0, 1])
 * context = wCtx · max(fused(prev), fused(next))                  (context_smoothing.ts, same thread)
 * thread  = wThread · mean of the 3 best (fused + context) in the memory's thread   (thread_boost.ts)
 * time    = wTime · closeness of the event time to the query's dates             (temporal_cues.ts)
 * score   = fused + context + thread + time
 * ```
 *
 * It is pure and store-independent: the caller runs the indexes (vector kNN, BM25, and a time index for
 * date cues if it has one) and says, for any memory id, its thread, thread neighbours and event time.
 * Every weight is a named option; the defaults were chosen on the development half of LoCoMo, and the
 * figures' sensitivity to each is in `bench/LOCOMO_NOTES.md`. Work is linear in the number of candidates
 * (plus two neighbours each), and nothing depends on map order, so equal inputs give equal rankings.
 *
 * @module
 */
import { smoothOverNeighbours } from "./context_smoothing.ts";
import {
  maxNormalize,
  minMaxNormalize,
  reciprocalRankFusion,
  type ScoreMap,
  weightedFusion,
} from "./fusion.ts";
import { temporalProximity, type TimeCue } from "./temporal_cues.ts";
import { threadBoost } from "./thread_boost.ts";

/** What the ranker needs to know about a memory beyond its scores. */
export interface MemoryFacts {
  /** The thread (session, episode) it belongs to, if any. */
  thread?: string | undefined;
  /** The memory before it in its thread. */
  prev?: string | undefined;
  /** The memory after it in its thread. */
  next?: string | undefined;
  /** When it happened, ms since the Unix epoch. */
  eventTime?: number | undefined;
}

/** The candidates of each index, with their raw scores. */
export interface HybridCandidates {
  /** BM25 scores from the lexical index. */
  lexical: ScoreMap;
  /** Cosine similarities from the vector index. */
  dense: ScoreMap;
}

/** Options of {@linkcode rankHybrid}. */
export interface HybridRankOptions {
  /** Facts about a memory id; `undefined` for an unknown id (it then gets no context, thread or time). */
  facts: (id: string) => MemoryFacts | undefined;
  /** The query's date cues, from `findTimeCues`. @default {[]} */
  cues?: readonly TimeCue[];
  /**
   * How the two lists are fused: `"weighted"`, a weighted sum of min-max normalised scores, or `"rrf"`,
   * reciprocal rank fusion with the same weights, rescaled so a memory first in both lists scores 1.
   *
   * @default {"weighted"}
   */
  fusion?: "weighted" | "rrf";
  /**
   * How each list is mapped to [0, 1] before the weighted sum: `"minmax"` over its candidates, or `"max"`,
   * divided by its best score (independent of the candidate depth).
   *
   * @default {"minmax"}
   */
  normalization?: "minmax" | "max";
  /** Weight of the normalised BM25 score. @default {0.5} */
  lexicalWeight?: number;
  /** Weight of the normalised cosine similarity. @default {0.5} */
  denseWeight?: number;
  /** The k of RRF, used only when `fusion` is `"rrf"`. @default {10} */
  rrfK?: number;
  /** Share of the better thread neighbour's fused score added to a memory; 0 = off. @default {0.3} */
  contextWeight?: number;
  /** Share of the thread's score (mean of its `threadTop` best) added to a memory; 0 = off. @default {0.3} */
  threadWeight?: number;
  /** How many of a thread's best memories make its score. @default {3} */
  threadTop?: number;
  /** Weight of the closeness of a memory's event time to the query's date cues; 0 = off. @default {0.4} */
  timeWeight?: number;
  /** Decay scale of that closeness outside a cue's range, in ms. @default {604800000} (7 days) */
  timeScaleMs?: number;
}

/** One ranked memory with the parts of its score. */
export interface RankedMemory {
  id: string;
  /** `fused + context + thread + time`. */
  score: number;
  /** Each part's contribution; `lexical` and `dense` are the normalised inputs before weighting. */
  components: {
    lexical: number;
    dense: number;
    fused: number;
    context: number;
    thread: number;
    time: number;
  };
}

/**
 * Ranks the union of the candidates (and their thread neighbours) by the hybrid score.
 *
 * @param candidates Raw scores from the lexical and vector indexes.
 * @param options Memory facts, date cues and weights.
 * @returns Every scored memory, best first, ties broken by id.
 *
 * @example A turn that only its neighbour matches still ranks above an unrelated one
 * ```ts
 * import { rankHybrid } from "./hybrid_ranker.ts";
 * const facts = (id: string) =>
 *   ({ q: { thread: "s1", next: "a" }, a: { thread: "s1", prev: "q" }, x: { thread: "s2" } })[id];
 * const ranked = rankHybrid(
 *   { lexical: new Map([["q", 3], ["x", 1]]), dense: new Map([["q", 0.6], ["x", 0.4], ["a", 0.41]]) },
 *   { facts },
 * );
 * const order = ranked.map((r) => r.id).join(",");
 * if (order !== "q,a,x") throw new Error(`${order} ${JSON.stringify(ranked)}`);
 * ```
 */
export function rankHybrid(candidates: HybridCandidates, options: HybridRankOptions): RankedMemory[] {
  const wLex = options.lexicalWeight ?? 0.5;
  const wDense = options.denseWeight ?? 0.5;
  const normalize = options.normalization === "max" ? maxNormalize : minMaxNormalize;
  const lexical = normalize(candidates.lexical);
  const dense = normalize(candidates.dense);
  let fused: Map<string, number>;
  if (options.fusion === "rrf") {
    const k = options.rrfK ?? 10;
    const lists = { lexical: candidates.lexical, dense: candidates.dense };
    const raw = reciprocalRankFusion(lists, { k, weights: { lexical: wLex, dense: wDense } });
    const top = (wLex + wDense) / (k + 1);
    fused = new Map([...raw].map(([id, s]) => [id, top > 0 ? s / top : 0]));
  } else {
    fused = weightedFusion({ lexical, dense }, { lexical: wLex, dense: wDense });
  }
  const facts = options.facts;
  const smoothed = smoothOverNeighbours(fused, {
    weight: options.contextWeight ?? 0.3,
    neighbours: (id) => {
      const f = facts(id);
      return f && { prev: f.prev, next: f.next };
    },
  });
  const boosted = threadBoost(smoothed, {
    weight: options.threadWeight ?? 0.3,
    top: options.threadTop ?? 3,
    threadOf: (id) => facts(id)?.thread,
  });
  const cues = options.cues ?? [];
  const wTime = options.timeWeight ?? 0.4;
  const scale = options.timeScaleMs ?? 604_800_000;
  const out: RankedMemory[] = [];
  for (const [id, b] of boosted) {
    const f = fused.get(id) ?? 0;
    const s = smoothed.get(id) ?? 0;
    const t = facts(id)?.eventTime;
    const time = cues.length > 0 && wTime !== 0 && t !== undefined
      ? wTime * temporalProximity(t, cues, { scaleMs: scale })
      : 0;
    out.push({
      id,
      score: b + time,
      components: {
        lexical: lexical.get(id) ?? 0,
        dense: dense.get(id) ?? 0,
        fused: f,
        context: s - f,
        thread: b - s,
        time,
      },
    });
  }
  return out.sort((p, q) => q.score - p.score || (p.id < q.id ? -1 : p.id > q.id ? 1 : 0));
}
