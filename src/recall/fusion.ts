/**
 * Score fusion: turning the raw scores of several candidate lists (BM25, cosine, ...) into one score per
 * memory. Two rules are offered:
 *
 * - {@linkcode weightedFusion} of {@linkcode minMaxNormalize}d scores, the default: each list is mapped
 *   onto [0, 1] over its own candidates, then the lists are summed with weights. It keeps how far apart
 *   the scores are, which ranks alone lose.
 * - {@linkcode reciprocalRankFusion} (Cormack et al. 2009): Σ w / (k + rank). It needs no calibration but
 *   throws away score gaps; on LoCoMo it trailed the weighted sum by 1-2 points of recall@10 (see
 *   `bench/LOCOMO_NOTES.md`).
 *
 * A memory missing from a list scores 0 in it (the bottom of that list's normalised range).
 *
 * @module
 */

/** Scores by memory id. */
export type ScoreMap = ReadonlyMap<string, number>;

/**
 * Maps scores linearly onto [0, 1]: the lowest candidate gets 0, the highest 1. If all scores are equal
 * (or there is one candidate) every score becomes 1 when positive and 0 otherwise.
 *
 * @param scores Raw scores by id.
 * @returns A new map with the same ids.
 *
 * @example
 * ```ts
 * import { minMaxNormalize } from "./fusion.ts";
 * const got = minMaxNormalize(new Map([["a", 4], ["b", 2], ["c", 3]]));
 * if (got.get("a") !== 1 || got.get("b") !== 0 || got.get("c") !== 0.5) throw new Error([...got].join(" "));
 * ```
 */
export function minMaxNormalize(scores: ScoreMap): Map<string, number> {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of scores.values()) {
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  const out = new Map<string, number>();
  for (const [id, s] of scores) out.set(id, hi > lo ? (s - lo) / (hi - lo) : s > 0 ? 1 : 0);
  return out;
}

/**
 * Divides scores by the largest: the best candidate gets 1, and the others keep their ratio to it. Unlike
 * {@linkcode minMaxNormalize} the result does not depend on how deep the candidate list goes, since the
 * lowest candidate plays no part. For non-negative scores (BM25, cosine of related texts); if the largest
 * is not positive every score becomes 0.
 *
 * @param scores Raw scores by id.
 * @returns A new map with the same ids.
 *
 * @example
 * ```ts
 * import { maxNormalize } from "./fusion.ts";
 * const got = maxNormalize(new Map([["a", 4], ["b", 2]]));
 * if (got.get("a") !== 1 || got.get("b") !== 0.5) throw new Error([...got].join(" "));
 * ```
 */
export function maxNormalize(scores: ScoreMap): Map<string, number> {
  let hi = -Infinity;
  for (const s of scores.values()) if (s > hi) hi = s;
  const out = new Map<string, number>();
  for (const [id, s] of scores) out.set(id, hi > 0 ? s / hi : 0);
  return out;
}

/**
 * Sums several score lists with weights: `Σ_c weights[c] · lists[c].get(id)`, a missing id counting 0.
 * Normalise the lists first (for example with {@linkcode minMaxNormalize}) so that the weights compare
 * like with like.
 *
 * @param lists Score lists by component name.
 * @param weights Weight by component name; a component without a weight is ignored.
 * @returns The fused score of every id found in a weighted list.
 *
 * @example
 * ```ts
 * import { weightedFusion } from "./fusion.ts";
 * const got = weightedFusion(
 *   { lexical: new Map([["a", 1], ["b", 0]]), dense: new Map([["b", 1]]) },
 *   { lexical: 0.35, dense: 0.65 },
 * );
 * if (got.get("a") !== 0.35 || got.get("b") !== 0.65) throw new Error([...got].join(" "));
 * ```
 */
export function weightedFusion(
  lists: Readonly<Record<string, ScoreMap>>,
  weights: Readonly<Record<string, number>>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, list] of Object.entries(lists)) {
    const w = weights[name];
    if (w === undefined) continue;
    for (const [id, s] of list) out.set(id, (out.get(id) ?? 0) + w * s);
  }
  return out;
}

/** Options of {@linkcode reciprocalRankFusion}. */
export interface RrfOptions {
  /**
   * The rank offset k of `1 / (k + rank)`: larger values flatten the head of each list. Cormack et al.
   * found 60 robust on TREC; on LoCoMo 10 did better (see `bench/LOCOMO_NOTES.md`).
   *
   * @default {60}
   */
  k?: number;
  /**
   * Weight by component name.
   *
   * @default {1 for every list}
   */
  weights?: Readonly<Record<string, number>>;
}

/**
 * Reciprocal rank fusion: `Σ_c w_c / (k + rank_c(id))`, with rank 1 for the best of each list and ties
 * broken by id so the result is deterministic.
 *
 * @param lists Raw score lists by component name (only their order matters).
 * @param options The rank offset and the weights.
 * @returns The fused score of every id in any list.
 *
 * @example
 * ```ts
 * import { reciprocalRankFusion } from "./fusion.ts";
 * const got = reciprocalRankFusion({ x: new Map([["a", 9], ["b", 1]]), y: new Map([["b", 5]]) }, { k: 0 });
 * // a: 1/1; b: 1/2 + 1/1
 * if (got.get("a") !== 1 || got.get("b") !== 1.5) throw new Error([...got].join(" "));
 * ```
 */
export function reciprocalRankFusion(
  lists: Readonly<Record<string, ScoreMap>>,
  options: RrfOptions = {},
): Map<string, number> {
  const k = options.k ?? 60;
  const out = new Map<string, number>();
  for (const [name, list] of Object.entries(lists)) {
    const w = options.weights?.[name] ?? 1;
    const ranked = [...list].sort((p, q) => q[1] - p[1] || (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0));
    ranked.forEach(([id], i) => out.set(id, (out.get(id) ?? 0) + w / (k + i + 1)));
  }
  return out;
}
