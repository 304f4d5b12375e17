/**
 * Context smoothing: a memory borrows part of the score of its neighbours in the same thread.
 *
 * In a conversation the words that match a question are often split over adjacent turns: "What did you
 * research?" in one turn and "Adoption agencies!" in the next. Adding `weight · max(score(prev),
 * score(next))` to each memory lifts the turn next to a strong match without letting a whole session
 * float up. Neighbours that were not candidates score 0, and a neighbour of a candidate that was not a
 * candidate itself joins the result, so an answer turn that no index found can still be recalled.
 *
 * @module
 */
import type { ScoreMap } from "./fusion.ts";

/** The memories next to one memory in its thread; absent at a thread's ends. */
export interface Neighbours {
  /** The memory just before, in the same thread. */
  prev?: string | undefined;
  /** The memory just after, in the same thread. */
  next?: string | undefined;
}

/** Options of {@linkcode smoothOverNeighbours}. */
export interface ContextSmoothingOptions {
  /**
   * The share of the better neighbour's score added to a memory's own. On LoCoMo recall@10 is flat
   * within ±0.5 point for 0.2-0.5 (see `bench/LOCOMO_NOTES.md`); 0 turns smoothing off.
   *
   * @default {0.3}
   */
  weight?: number;
}

/**
 * Adds to each memory `weight` times the larger score of its two thread neighbours.
 *
 * The neighbours are read from the input scores only (not from the smoothed ones), so the result does
 * not depend on the order of the map.
 *
 * @param scores Scores by id, for example fused and normalised to [0, 1].
 * @param options The neighbours of an id (`undefined` for a memory outside any thread) and the weight.
 * @returns The smoothed score of every input id and of every neighbour of one.
 *
 * @example The answer after a matching question is lifted
 * ```ts
 * import { smoothOverNeighbours } from "./context_smoothing.ts";
 * const thread = ["q", "answer", "other"];
 * const neighbours = (id: string) => {
 *   const i = thread.indexOf(id);
 *   return { prev: thread[i - 1], next: thread[i + 1] };
 * };
 * const got = smoothOverNeighbours(new Map([["q", 1], ["other", 0.2]]), { neighbours, weight: 0.5 });
 * if (got.get("answer") !== 0.5 || got.get("q") !== 1) throw new Error([...got].join(" "));
 * ```
 */
export function smoothOverNeighbours(
  scores: ScoreMap,
  options: ContextSmoothingOptions & { neighbours: (id: string) => Neighbours | undefined },
): Map<string, number> {
  const weight = options.weight ?? 0.3;
  const out = new Map<string, number>(scores);
  if (weight === 0) return out;
  const ids = new Set(scores.keys());
  for (const id of scores.keys()) {
    const n = options.neighbours(id);
    if (n?.prev !== undefined) ids.add(n.prev);
    if (n?.next !== undefined) ids.add(n.next);
  }
  for (const id of ids) {
    const n = options.neighbours(id);
    const p = n?.prev === undefined ? 0 : scores.get(n.prev) ?? 0;
    const q = n?.next === undefined ? 0 : scores.get(n.next) ?? 0;
    out.set(id, (scores.get(id) ?? 0) + weight * Math.max(p, q, 0));
  }
  return out;
}
