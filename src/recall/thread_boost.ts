/**
 * Thread boost: session-level evidence for turn-level ranking.
 *
 * A thread (a conversation session, an episode, a document) whose best memories match the query well is
 * likely to hold more of what is asked, including turns whose own words match poorly. Each memory gains
 * `weight ·` the mean of the `top` best scores in its thread. This is "retrieve the session, then rank its
 * turns" folded into one additive term, so every memory keeps a score and nothing is cut.
 *
 * @module
 */
import type { ScoreMap } from "./fusion.ts";

/** Options of {@linkcode threadBoost}. */
export interface ThreadBoostOptions {
  /**
   * The share of the thread's score added to each of its memories; 0 turns the boost off. On LoCoMo
   * recall@10 moves by under 1 point for 0.2-0.5 (see `bench/LOCOMO_NOTES.md`).
   *
   * @default {0.3}
   */
  weight?: number;
  /**
   * How many of the thread's best scores are averaged into its score: 1 is "the best match", larger values
   * favour threads with several good matches.
   *
   * @default {3}
   */
  top?: number;
}

/**
 * Adds to each memory `weight ·` the mean of the `top` best scores of its thread, a thread with fewer
 * scored memories counting the missing ones as 0 (so one lucky match does not make a strong thread).
 * Memories without a thread get nothing. Thread scores are read from the input.
 *
 * @param scores Scores by id, for example after context smoothing.
 * @param options The thread of an id and the weight and depth of the boost.
 * @returns The boosted score of every input id.
 * @throws {RangeError} If `top` is not an integer >= 1.
 *
 * @example Two memories of a strong thread overtake a lone match
 * ```ts
 * import { threadBoost } from "./thread_boost.ts";
 * const thread: Record<string, string> = { a: "s1", b: "s1", c: "s2" };
 * const got = threadBoost(new Map([["a", 0.8], ["b", 0.6], ["c", 0.75]]), {
 *   threadOf: (id) => thread[id],
 *   weight: 0.5,
 *   top: 2,
 * });
 * if (!(got.get("b")! > got.get("c")!)) throw new Error([...got].join(" "));
 * ```
 */
export function threadBoost(
  scores: ScoreMap,
  options: ThreadBoostOptions & { threadOf: (id: string) => string | undefined },
): Map<string, number> {
  const weight = options.weight ?? 0.3;
  const top = options.top ?? 3;
  if (!Number.isInteger(top) || top < 1) {
    throw new RangeError(`Cannot boost by thread: top is ${top}, expected an integer >= 1`);
  }
  const out = new Map<string, number>(scores);
  if (weight === 0) return out;
  const byThread = new Map<string, number[]>();
  for (const [id, s] of scores) {
    const t = options.threadOf(id);
    if (t === undefined) continue;
    let list = byThread.get(t);
    if (list === undefined) byThread.set(t, list = []);
    list.push(s);
  }
  const threadScore = new Map<string, number>();
  for (const [t, list] of byThread) {
    const best = list.sort((x, y) => y - x).slice(0, top);
    threadScore.set(t, best.reduce((a, b) => a + b, 0) / top); // missing memories count 0
  }
  for (const [id, s] of scores) {
    const t = options.threadOf(id);
    if (t !== undefined) out.set(id, s + weight * threadScore.get(t)!);
  }
  return out;
}
