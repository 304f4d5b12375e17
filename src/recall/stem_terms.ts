/**
 * English stemming for the lexical index: Porter's algorithm (Porter 1980, "An algorithm for suffix
 * stripping"), through the `stemmer` package.
 *
 * Stemming must be applied on both sides, to the terms a memory is indexed under and to the query's
 * terms, so it belongs in the lexical index's analyzer; this function is that step, kept separate from
 * `engine/indexes/tokenizer.ts` (whose rules are part of the postings format). On LoCoMo it lifts BM25
 * recall@10 by 3 points and the full hybrid by about 1 ("researched" finds "research", "painting"
 * finds "paint"; see `bench/LOCOMO_NOTES.md`).
 *
 * @module
 */
import { stemmer } from "stemmer";

/**
 * Stems each term. Terms with a digit or of 2 letters or fewer are kept as they are (numbers, "7th",
 * "uk").
 *
 * @param terms Lower-case terms from the tokenizer.
 * @returns The stems, in order.
 *
 * @example
 * ```ts
 * import { stemTerms } from "./stem_terms.ts";
 * const got = stemTerms(["researched", "painting", "2023", "7th"]).join(" ");
 * if (got !== "research paint 2023 7th") throw new Error(got);
 * ```
 */
export function stemTerms(terms: readonly string[]): string[] {
  return terms.map((t) => (t.length <= 2 || /\d/.test(t) ? t : stemmer(t)));
}
