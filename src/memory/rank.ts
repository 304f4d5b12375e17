/**
 * Fuses the candidates of the vector, lexical and time indexes into one ranking. Every weight is a
 * named parameter; `explain` reports each component so a caller can see why a memory ranked where it
 * did.
 *
 * @module
 */
import type { Candidate } from "../../engine/indexes/collection.ts";

/** Ranking parameters. */
export interface RankWeights {
  /** Reciprocal-rank-fusion constant (Cormack et al. 2009). @default 60 */
  rrfK: number;
  /** Weight of the vector rank in the fusion. @default 1 */
  vector: number;
  /** Weight of the lexical (BM25) rank in the fusion. @default 1 */
  lexical: number;
  /** Multiplier added for memories inside the query's time window (1 + temporal). @default 0.5 */
  temporal: number;
  /** Multiplier per unit of importance above 0.5. @default 0.2 */
  importance: number;
  /** Multiplier per unit of consolidation level κ. @default 0.1 */
  kappa: number;
  /** Multiplier for recency, exp(-age / recencyHalfLifeDays·ln2). @default 0 (off) */
  recency: number;
  /** Half-life of recency, days. @default 30 */
  recencyHalfLifeDays: number;
}

/** Default ranking parameters. */
export const DEFAULT_WEIGHTS: RankWeights = {
  rrfK: 60,
  vector: 1,
  lexical: 1,
  temporal: 0.5,
  importance: 0.2,
  kappa: 0.1,
  recency: 0,
  recencyHalfLifeDays: 30,
};

/** What each candidate contributes. */
export interface ScoreParts {
  vectorRank?: number;
  vectorScore?: number;
  lexicalRank?: number;
  lexicalScore?: number;
  fused: number;
  temporal: number;
  importance: number;
  kappa: number;
  recency: number;
  total: number;
}

/** Per-memory features the ranking needs besides the index candidates. */
export interface Features {
  eventTime: number;
  importance: number;
  kappa: number;
}

/**
 * Ranks candidate ids. Ties break by id for determinism.
 *
 * @example Both indexes agreeing wins
 * ```ts
 * import { DEFAULT_WEIGHTS, fuse } from "./rank.ts";
 * const f = { eventTime: 0, importance: 0.5, kappa: 0 };
 * const r = fuse([{ id: "a", score: 0.9 }, { id: "b", score: 0.8 }], [{ id: "b", score: 3 }], () => f, {
 *   now: 0, weights: DEFAULT_WEIGHTS });
 * if (r[0]!.id !== "b") throw new Error(r.map((x) => x.id).join());
 * ```
 */
export function fuse(
  vector: readonly Candidate[],
  lexical: readonly Candidate[],
  features: (id: string) => Features | undefined,
  o: { now: number; window?: { from: number; to: number }; weights: RankWeights },
): { id: string; parts: ScoreParts }[] {
  const w = o.weights;
  const parts = new Map<string, ScoreParts>();
  const get = (id: string) => {
    let p = parts.get(id);
    if (!p) parts.set(id, p = { fused: 0, temporal: 0, importance: 0, kappa: 0, recency: 0, total: 0 });
    return p;
  };
  vector.forEach((c, i) => {
    const p = get(c.id);
    p.vectorRank = i + 1;
    p.vectorScore = c.score;
    p.fused += w.vector / (w.rrfK + i + 1);
  });
  lexical.forEach((c, i) => {
    const p = get(c.id);
    p.lexicalRank = i + 1;
    p.lexicalScore = c.score;
    p.fused += w.lexical / (w.rrfK + i + 1);
  });
  const out: { id: string; parts: ScoreParts }[] = [];
  const ln2 = Math.LN2;
  for (const [id, p] of parts) {
    const f = features(id);
    if (!f) continue;
    if (o.window && f.eventTime >= o.window.from && f.eventTime < o.window.to) p.temporal = w.temporal;
    p.importance = w.importance * (f.importance - 0.5);
    p.kappa = w.kappa * f.kappa;
    const ageDays = Math.max(0, (o.now - f.eventTime) / 86_400_000);
    p.recency = w.recency * Math.exp(-ageDays * ln2 / w.recencyHalfLifeDays);
    p.total = p.fused * (1 + p.temporal + p.importance + p.kappa + p.recency);
    out.push({ id, parts: p });
  }
  out.sort((a, b) => b.parts.total - a.parts.total || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}
