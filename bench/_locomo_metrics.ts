/**
 * The LoCoMo recall metric (see `shared/bench/locomo/README.md`): recall@k over distinct turn ids, MRR of
 * the first evidence hit within 100, and NDCG@10 with binary relevance, averaged over questions.
 *
 * @module
 */

/** One retrieved item: a turn, or a consolidated memory that stands for the turns in its provenance. */
export interface RankedId {
  /** The memory id; a turn id when `provenance` is absent. */
  id: string;
  /** For a consolidated memory, the turn ids it was made from, most relevant first. */
  provenance?: readonly string[];
  /** The retriever's score, for explanation only; the metric reads the order alone. */
  score?: number;
}

/** The cut-offs of recall@k. */
export const RECALL_KS = [1, 5, 10, 25, 50] as const;
/** MRR counts a first hit only within this many distinct turns. */
export const MRR_DEPTH = 100;
/** NDCG is taken at this depth. */
export const NDCG_DEPTH = 10;

/** The figures of one question or, averaged, of a group; all are fractions in [0, 1]. */
export interface Scores {
  r1: number;
  r5: number;
  r10: number;
  r25: number;
  r50: number;
  mrr: number;
  ndcg10: number;
}

/**
 * Flattens a ranking to distinct turn ids. A consolidated memory contributes the turns of its provenance in
 * their order; a turn already listed keeps its earlier place and is not repeated, so nothing ranked above
 * is displaced.
 *
 * @param ranked The retriever's results, best first.
 * @returns Distinct turn ids, best first.
 *
 * @example
 * ```ts
 * import { distinctTurns } from "./_locomo_metrics.ts";
 * const got = distinctTurns([{ id: "D1:1" }, { id: "m7", provenance: ["D1:1", "D2:3"] }, { id: "D2:3" }]);
 * if (got.join(",") !== "D1:1,D2:3") throw new Error(got.join(","));
 * ```
 */
export function distinctTurns(ranked: readonly RankedId[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const r of ranked) {
    for (const id of r.provenance ?? [r.id]) {
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}

/**
 * Scores one question.
 *
 * @param ranked The retriever's results, best first.
 * @param evidence The evidence turn ids. REQUIRES: non-empty and distinct.
 * @returns recall@1/5/10/25/50, reciprocal rank (0 past {@linkcode MRR_DEPTH}) and NDCG@10.
 * @throws {RangeError} If `evidence` is empty.
 *
 * @example Half the evidence at rank 2
 * ```ts
 * import { scoreQuestion } from "./_locomo_metrics.ts";
 * const s = scoreQuestion([{ id: "x" }, { id: "a" }], ["a", "b"]);
 * if (s.r1 !== 0 || s.r5 !== 0.5 || s.mrr !== 0.5) throw new Error(JSON.stringify(s));
 * ```
 */
export function scoreQuestion(ranked: readonly RankedId[], evidence: readonly string[]): Scores {
  if (evidence.length === 0) throw new RangeError("Cannot score a question: it has no evidence");
  const turns = distinctTurns(ranked);
  const gold = new Set(evidence);
  const recall = (k: number) => turns.slice(0, k).filter((t) => gold.has(t)).length / gold.size;
  const first = turns.slice(0, MRR_DEPTH).findIndex((t) => gold.has(t));
  let dcg = 0;
  turns.slice(0, NDCG_DEPTH).forEach((t, i) => {
    if (gold.has(t)) dcg += 1 / Math.log2(i + 2);
  });
  let idcg = 0;
  for (let i = 0; i < Math.min(gold.size, NDCG_DEPTH); i++) idcg += 1 / Math.log2(i + 2);
  return {
    r1: recall(1),
    r5: recall(5),
    r10: recall(10),
    r25: recall(25),
    r50: recall(50),
    mrr: first < 0 ? 0 : 1 / (first + 1),
    ndcg10: dcg / idcg,
  };
}

/**
 * Averages per-question scores.
 *
 * @param all The questions' scores.
 * @returns The mean of each figure; all zero for no questions.
 *
 * @example
 * ```ts
 * import { meanScores } from "./_locomo_metrics.ts";
 * const z = { r1: 0, r5: 0, r10: 0, r25: 0, r50: 0, mrr: 0, ndcg10: 0 };
 * if (meanScores([z, { ...z, r10: 1 }]).r10 !== 0.5) throw new Error("bad mean");
 * ```
 */
export function meanScores(all: readonly Scores[]): Scores {
  const out: Scores = { r1: 0, r5: 0, r10: 0, r25: 0, r50: 0, mrr: 0, ndcg10: 0 };
  if (all.length === 0) return out;
  for (const s of all) for (const k of Object.keys(out) as (keyof Scores)[]) out[k] += s[k];
  for (const k of Object.keys(out) as (keyof Scores)[]) out[k] /= all.length;
  return out;
}
