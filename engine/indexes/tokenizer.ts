/**
 * The lexical index's tokenizer: text in, index terms out, in two steps. {@linkcode splitWords} cuts text
 * into lower-case words and drops stop words; {@linkcode tokenize} then reduces each English word to its
 * Porter stem, so "researched" and "research" meet. A caller that rewrites a query (drops words of its
 * own) works on `splitWords` and passes the words it keeps, joined, as the query text: the index stems
 * them like its documents.
 *
 * The tokenizer is part of the postings format. `removeDoc` deletes the postings of a record by
 * re-tokenizing its stored text, so a tokenizer that changed behaviour would leave ghost postings behind.
 * Any change to the rules, the stop list, the length limit or the stemmer bumps
 * {@linkcode TOKENIZER_VERSION}. A collection stores the version it was indexed with, and one indexed
 * under another version is reindexed when it is opened (`collection.ts`; `engine/docs/formats/postings.md`).
 *
 * @module
 */
import { stemmer } from "stemmer";

/**
 * ON DISK, NEVER REUSE: the version of the tokenizer rules below. A collection stores the version it was
 * indexed with (`tokenizer` in its meta; absent means 1), so that a mismatch is found at open time rather
 * than as ghost postings.
 *
 * | version | rules                                                                                      |
 * |---------|--------------------------------------------------------------------------------------------|
 * | 1       | NFKC, `toLowerCase`, `[\p{L}\p{N}][\p{L}\p{N}\p{M}]*`, 35 stop words, ≤ 64 code points      |
 * | 2       | version 1, then Porter stemming (npm `stemmer@2.0.1`) of words of 3 or more ASCII letters a-z |
 */
export const TOKENIZER_VERSION = 2;

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
 * Splits text into words, the first step of {@linkcode tokenize}: NFKC-normalise, lower-case, take each
 * run of letters and digits, drop {@linkcode STOP_WORDS} and tokens longer than
 * {@linkcode MAX_TOKEN_LENGTH} code points. Digits are kept ("2023", "7th"), words are returned in text
 * order with repeats, and nothing is stemmed. Scripts that do not separate words with spaces (Chinese,
 * Japanese) come out as one word per run.
 *
 * A word never contains a NUL byte, and `splitWords(words.join(" "))` gives `words` back.
 *
 * @param text Any string.
 * @returns The words in order of appearance, repeats included.
 *
 * @example Case, punctuation, accents, digits and stop words
 * ```ts
 * import { splitWords } from "./tokenizer.ts";
 * const got = splitWords("The Café opened on March 7th, 2023!").join(" ");
 * if (got !== "café opened march 7th 2023") throw new Error(`got "${got}"`);
 * ```
 */
export function splitWords(text: string): string[] {
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

const ASCII_WORD = /^[a-z]{3,}$/;
const STEMS = new Map<string, string>();
const STEM_CACHE_SIZE = 20_000;

/**
 * The Porter stem (Porter 1980, "An algorithm for suffix stripping") of a word of 3 or more ASCII
 * letters; any other word (digits, accents, other scripts, "uk") is returned as it is. Porter's rules are
 * English; applying them to other languages would merge unrelated words.
 *
 * @param word A word from {@linkcode splitWords}.
 * @returns Its index term.
 *
 * @example
 * ```ts
 * import { stemWord } from "./tokenizer.ts";
 * const got = ["researched", "painting", "café", "7th", "uk"].map(stemWord).join(" ");
 * if (got !== "research paint café 7th uk") throw new Error(got);
 * ```
 */
export function stemWord(word: string): string {
  if (!ASCII_WORD.test(word)) return word;
  let s = STEMS.get(word);
  if (s === undefined) {
    if (STEMS.size >= STEM_CACHE_SIZE) STEMS.clear(); // a bounded memo: words repeat a lot
    s = stemmer(word);
    STEMS.set(word, s);
  }
  return s;
}

/**
 * Splits text into index terms: {@linkcode splitWords}, then {@linkcode stemWord} on each word. This is
 * what the lexical index stores and what it searches for, so a query is stemmed like the documents.
 *
 * A term never contains a NUL byte, which the posting key layout relies on.
 *
 * @param text Any string.
 * @returns The terms in order of appearance, repeats included.
 *
 * @example Case, punctuation, accents, digits, stop words and stems
 * ```ts
 * import { tokenize } from "./tokenizer.ts";
 * const got = tokenize("The Café opened on March 7th, 2023!").join(" ");
 * if (got !== "café open march 7th 2023") throw new Error(`got "${got}"`);
 * ```
 */
export function tokenize(text: string): string[] {
  const words = splitWords(text);
  for (let i = 0; i < words.length; i++) words[i] = stemWord(words[i]!);
  return words;
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
