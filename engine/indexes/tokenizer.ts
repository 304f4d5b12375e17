/**
 * The lexical index's tokenizer: text in, index terms out.
 *
 * The tokenizer is part of the postings format. `removeDoc` deletes the postings of a record by
 * re-tokenizing its stored text, so a tokenizer that changed behaviour would leave ghost postings behind.
 * Any change to the rules, the stop list or the length limit bumps {@linkcode TOKENIZER_VERSION}, and a
 * collection indexed under another version must be reindexed (see `engine/docs/formats/postings.md`).
 *
 * @module
 */

/**
 * ON DISK, NEVER REUSE: the version of the tokenizer rules below. A collection should store the version
 * it was indexed with, so that a mismatch is found at open time rather than as ghost postings.
 *
 * | version | rules                                                                                 |
 * |---------|---------------------------------------------------------------------------------------|
 * | 1       | NFKC, `toLowerCase`, `[\p{L}\p{N}][\p{L}\p{N}\p{M}]*`, 35 stop words, ≤ 64 code points |
 */
export const TOKENIZER_VERSION = 1;

/** Tokens longer than this many code points are dropped (they are hashes, base64 or garbage). */
export const MAX_TOKEN_LENGTH = 64;

/**
 * English function words that are dropped. The 33 words of Lucene's classic `ENGLISH_STOP_WORDS_SET`
 * plus "from" and "were". Pronouns other than "it" and "they" are kept: in an agent's memories "I", "you"
 * and "we" carry meaning. Numbers are never stop words.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  "a",
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "but",
  "by",
  "for",
  "from",
  "if",
  "in",
  "into",
  "is",
  "it",
  "no",
  "not",
  "of",
  "on",
  "or",
  "such",
  "that",
  "the",
  "their",
  "then",
  "there",
  "these",
  "they",
  "this",
  "to",
  "was",
  "were",
  "will",
  "with",
]);

/**
 * A token starts with a letter or digit and runs over letters, digits and combining marks. Marks are
 * kept inside a token because scripts such as Devanagari and Thai spell words with them (NFKC composes
 * the Latin accents, so "Cafe\u0301" is already "Café" here); a mark cannot start a token.
 */
const TOKEN = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/**
 * Splits text into index terms: NFKC-normalise, lower-case, take each run of letters and digits, drop
 * {@linkcode STOP_WORDS} and tokens longer than {@linkcode MAX_TOKEN_LENGTH} code points. Digits are kept
 * ("2023", "7th"), terms are returned in text order with repeats, and no stemming is done. Scripts that
 * do not separate words with spaces (Chinese, Japanese) come out as one token per run.
 *
 * A term never contains a NUL byte, which the posting key layout relies on.
 *
 * @param text Any string.
 * @returns The terms in order of appearance, repeats included.
 *
 * @example Case, punctuation, accents, digits and stop words
 * ```ts
 * import { tokenize } from "./tokenizer.ts";
 * const got = tokenize("The Café opened on March 7th, 2023!").join(" ");
 * if (got !== "café opened march 7th 2023") throw new Error(`got "${got}"`);
 * ```
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const norm = text.normalize("NFKC").toLowerCase();
  for (const m of norm.matchAll(TOKEN)) {
    const t = m[0];
    // UTF-16 length bounds the code-point count from above, so only long tokens pay for counting.
    if (t.length > MAX_TOKEN_LENGTH && codePoints(t) > MAX_TOKEN_LENGTH) continue;
    if (STOP_WORDS.has(t)) continue;
    out.push(t);
  }
  return out;
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00) i++; // a high surrogate starts a pair
    n++;
  }
  return n;
}
