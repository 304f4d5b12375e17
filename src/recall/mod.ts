/**
 * Recall: pure, store-independent re-ranking of the candidates that the indexes return.
 *
 * - {@linkcode rankHybrid} composes the rest: fusion of BM25 and cosine scores, context smoothing over
 *   thread neighbours, a thread boost and closeness to the query's dates, each part reported.
 * - {@linkcode weightedFusion}, {@linkcode minMaxNormalize}, {@linkcode maxNormalize} and
 *   {@linkcode reciprocalRankFusion} fuse score lists.
 * - {@linkcode smoothOverNeighbours} and {@linkcode threadBoost} use the thread a memory belongs to.
 * - {@linkcode findTimeCues}, {@linkcode temporalProximity} and {@linkcode stripTimeCues} handle dates
 *   named in a query.
 * - {@linkcode queryTerms} (with {@linkcode QUERY_STOP_WORDS}) and {@linkcode denseQueryText} rewrite a
 *   question for the lexical and the vector index; {@linkcode stemTerms} is the stemming step of a
 *   lexical analyzer.
 *
 * Figures on LoCoMo, the ablation and each weight's sensitivity are in `bench/LOCOMO_NOTES.md`.
 *
 * @example Rank the candidates of two indexes
 * ```ts
 * import { rankHybrid } from "./mod.ts";
 * const ranked = rankHybrid(
 *   { lexical: new Map([["m1", 7.2], ["m2", 1.1]]), dense: new Map([["m2", 0.52], ["m3", 0.48]]) },
 *   { facts: () => undefined },
 * );
 * if (ranked[0]?.id !== "m1") throw new Error(JSON.stringify(ranked));
 * ```
 *
 * @module
 */
export { type ContextSmoothingOptions, type Neighbours, smoothOverNeighbours } from "./context_smoothing.ts";
export { type DenseQueryOptions, denseQueryText } from "./dense_query.ts";
export {
  maxNormalize,
  minMaxNormalize,
  reciprocalRankFusion,
  type RrfOptions,
  type ScoreMap,
  weightedFusion,
} from "./fusion.ts";
export {
  type HybridCandidates,
  type HybridRankOptions,
  type MemoryFacts,
  type RankedMemory,
  rankHybrid,
} from "./hybrid_ranker.ts";
export { QUERY_STOP_WORDS, queryTerms } from "./query_terms.ts";
export { stemTerms } from "./stem_terms.ts";
export {
  findTimeCues,
  stripTimeCues,
  temporalProximity,
  type TemporalProximityOptions,
  type TimeCue,
} from "./temporal_cues.ts";
export { threadBoost, type ThreadBoostOptions } from "./thread_boost.ts";
