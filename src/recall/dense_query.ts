/**
 * The text to embed for a question: what it is about, without how it is asked or about whom.
 *
 * A sentence encoder maps "What did Caroline research?" close to other questions and to any turn that
 * names Caroline, rather than to the statement that answers it ("Researching adoption agencies"). So
 * before embedding:
 *
 * 1. the leading interrogative phrase goes ("what did", "how many times has", "in which"), with the
 *    trailing question mark: the question reads as the statement it asks about;
 * 2. the names of known actors go (with a possessive "'s"): who a memory is about is matched by the
 *    lexical index, which sees the actor's name, and would otherwise dominate the vector;
 * 3. the words of date cues go (pass them from `temporal_cues.ts`), since dates are matched on event time.
 *
 * On LoCoMo, with USE-lite vectors, dense recall@10 alone rises from 39 % to 57 %. In the hybrid
 * pipeline, though, the raw question does as well or slightly better (79.9 % against 79.1 %: the
 * lexical index already carries the names, and "When did ..." draws turns that mention times), so
 * the benchmark's full pipeline leaves it off; use it where vectors rank alone (see
 * `bench/LOCOMO_NOTES.md`). If nothing is left, the question is used unchanged.
 *
 * @module
 */
import { stripTimeCues, type TimeCue } from "./temporal_cues.ts";

/**
 * An English interrogative phrase at the start of a question: an optional preposition, the wh-word, an
 * optional quantity or category ("many", "long", "kind of"), and an optional auxiliary or modal.
 */
const INTERROGATIVE = new RegExp(
  "^\\s*(?:(?:in|on|at|for|with|from|to|by|about)\\s+)?" +
    "(?:what|when|where|who|whom|whose|which|why|how)" +
    "(?:\\s+(?:many|much|long|often|old|far|soon|kind of|type of|sort of|kinds of|types of)(?:\\s+times)?)?" +
    "(?:\\s+(?:is|are|was|were|do|does|did|has|have|had|can|could|would|should|will|might|may))?\\b",
  "i",
);

/** Options of {@linkcode denseQueryText}. */
export interface DenseQueryOptions {
  /** Names of known actors to remove, for example the speakers of the memories. @default {[]} */
  actors?: readonly string[];
  /** Date cues of the query to remove. @default {[]} */
  cues?: readonly TimeCue[];
}

/**
 * Rewrites a question into the text to embed.
 *
 * @param query The question or keyword query.
 * @param options Actor names and date cues to remove.
 * @returns The rewritten text, or `query` itself if the rewrite leaves nothing.
 *
 * @example
 * ```ts
 * import { denseQueryText } from "./dense_query.ts";
 * const got = denseQueryText("When did Caroline go to the LGBTQ support group?", { actors: ["Caroline"] });
 * if (got !== "go to the LGBTQ support group") throw new Error(got);
 * ```
 */
export function denseQueryText(query: string, options: DenseQueryOptions = {}): string {
  let text = options.cues?.length ? stripTimeCues(query, options.cues) : query;
  text = text.replace(INTERROGATIVE, "").replace(/[?\s]+$/, "");
  for (const name of options.actors ?? []) {
    if (name.trim() === "") continue;
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    text = text.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?:['’]s)?(?![\\p{L}\\p{N}])`, "giu"), "");
  }
  text = text.replace(/\s+/g, " ").replace(/\s+([,.;:!])/g, "$1").trim();
  return /[\p{L}\p{N}]/u.test(text) ? text : query;
}
