/**
 * Okapi BM25, the formula alone: no storage, no tokenizing. {@linkcode LexicalIndex} feeds it the
 * counts it reads from postings.
 *
 * For a query Q and a document D of length |D| in a collection of N documents whose mean length is avgdl:
 *
 * ```
 * score(D, Q) = Σ_{t ∈ Q} idf(t) · tf(t, D) · (k1 + 1) / (tf(t, D) + k1 · (1 − b + b · |D| / avgdl))
 * idf(t)      = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5))
 * ```
 *
 * where n(t) is the number of documents holding t. This idf is Lucene's: unlike the original
 * Robertson/Sparck Jones `ln((N − n + 0.5) / (n + 0.5))` it never goes negative, so a term in more than
 * half of the documents still adds a little instead of penalising every match.
 *
 * @module
 */

/** Default term-frequency saturation. */
export const BM25_K1 = 1.2;
/** Default length normalisation (0 = none, 1 = full). */
export const BM25_B = 0.75;

/** Options of {@linkcode bm25Scorer}. */
export interface Bm25Options {
  /** Mean document length of the collection, in tokens. REQUIRES: > 0. */
  avgDocLen: number;
  /** Term-frequency saturation. @default 1.2 */
  k1?: number;
  /** Length normalisation, in [0, 1]. @default 0.75 */
  b?: number;
}

/**
 * The inverse document frequency of a term: `ln(1 + (N − n + 0.5) / (n + 0.5))`. Positive for any
 * `0 <= n`, `0 <= N`, even when stale counts give `n > N`.
 *
 * @param docCount N, the number of documents in the collection.
 * @param docFreq n, the number of documents that hold the term.
 * @returns The idf weight.
 *
 * @example A rare term weighs more than a common one
 * ```ts
 * import { bm25Idf } from "./bm25.ts";
 * const rare = bm25Idf(1000, 3), common = bm25Idf(1000, 900);
 * if (!(rare > common && common > 0)) throw new Error(`rare ${rare}, common ${common}`);
 * ```
 */
export function bm25Idf(docCount: number, docFreq: number): number {
  return Math.log(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5));
}

/**
 * Returns the scorer of one query term: a function from (tf, document length) to that term's share of the
 * BM25 score. Sum the shares of the query's terms to get a document's score.
 *
 * @param idf The term's weight, usually {@linkcode bm25Idf}.
 * @param options The collection's mean document length and the k1, b parameters.
 * @returns `(tf, docLen) => idf · tf · (k1 + 1) / (tf + k1 · (1 − b + b · docLen / avgDocLen))`.
 *
 * @example The term's share saturates with tf and falls with document length
 * ```ts
 * import { bm25Scorer } from "./bm25.ts";
 * const score = bm25Scorer(2, { avgDocLen: 10 });
 * const one = score(1, 10), many = score(100, 10), longDoc = score(1, 50);
 * // At the mean length, tf = 1 gives exactly idf; tf → ∞ approaches idf · (k1 + 1).
 * if (Math.abs(one - 2) > 1e-12 || !(many < 2 * 2.2) || !(longDoc < one)) throw new Error("bad shape");
 * ```
 */
export function bm25Scorer(idf: number, options: Bm25Options): (tf: number, docLen: number) => number {
  const k1 = options.k1 ?? BM25_K1;
  const b = options.b ?? BM25_B;
  const avgdl = options.avgDocLen;
  return (tf, docLen) => (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * docLen) / avgdl));
}
