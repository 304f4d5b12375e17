/**
 * The SentencePiece-style unigram tokenizer that feeds Universal Sentence Encoder lite.
 *
 * It does what the official `@tensorflow-models/universal-sentence-encoder` tokenizer does, written
 * afresh: NFKC-normalise, prefix the text with U+2581 "▁" and turn every space into "▁", then pick the
 * segmentation into vocabulary pieces whose summed log-probability is highest (Viterbi over a trie of
 * the pieces, Kudo 2018 "Subword Regularization", section 3.1). A code point that starts no piece
 * becomes the unknown id 0 with score 0, and runs of unknown ids collapse to one. A code point that starts
 * only longer pieces may also become unknown, at SentencePiece's penalty (lowest score minus 10), so every
 * position stays reachable; the reference leaves that case undefined.
 *
 * Two details copy the reference so that ids match it token for token:
 * - ties go to the segmentation whose last piece starts latest (`>=` while scanning starts in order);
 * - the seven user-defined pieces whose score is `null` in `vocab.json` (":", "://", "▁:)" ...) score 0.
 *
 * One reference quirk is not copied: it treats a best score of exactly 0 as "not reached yet", so a text
 * made only of score-0 pieces such as "::::" segments differently there; here it is plain Viterbi.
 *
 * Dimension legend: C code points of the normalised text, V vocabulary size (8000).
 *
 * @module
 */

/** Ids below this are reserved (`"�"`, `<s>`, `</s>`, three extras) and never matched as pieces. */
const RESERVED_IDS = 6;
/** The id of the unknown piece. */
const UNK_ID = 0;
/** SentencePiece's word-boundary marker, U+2581. */
const SEPARATOR = "\u2581";

interface TrieNode {
  /** Children by code point. */
  next: Map<number, TrieNode>;
  /** The vocabulary id of the piece that ends here, or -1. */
  id: number;
}

/**
 * A unigram tokenizer over a `[piece, score][]` vocabulary. Stateless after construction.
 *
 * @example The likeliest split wins
 * ```ts
 * import { UseTokenizer } from "./_use_tokenizer.ts";
 * const reserved = [["�", 0], ["<s>", 0], ["</s>", 0], ["x1", 0], ["x2", 0], ["x3", 0]];
 * const tok = new UseTokenizer([...reserved, ["▁the", -1], ["▁cat", -2], ["▁c", -3], ["at", -3]]);
 * const ids = Array.from(tok.encode("the cat"));
 * if (ids.join() !== "6,7") throw new Error(`ids ${ids}`);
 * ```
 */
export class UseTokenizer {
  #root: TrieNode = { next: new Map(), id: -1 };
  /** Log-probability per id, shape [V]. */
  #scores: Float64Array;
  /** Length in code points per id, shape [V]. */
  #lengths: Int32Array;
  /** Score of an unknown code point where longer pieces start: lowest piece score minus 10. */
  #unkPenalty: number;

  /**
   * Builds the trie from a parsed `vocab.json`.
   *
   * @param vocab `[piece, score]` pairs in id order; a `null` score counts as 0.
   * @throws {TypeError} If an entry is not a `[string, number | null]` pair.
   */
  constructor(vocab: unknown) {
    if (!Array.isArray(vocab) || vocab.length <= RESERVED_IDS) {
      throw new TypeError(
        `Cannot build tokenizer: vocabulary is not an array of more than ${RESERVED_IDS} pairs`,
      );
    }
    const V = vocab.length;
    this.#scores = new Float64Array(V);
    this.#lengths = new Int32Array(V);
    for (let id = 0; id < V; id++) {
      const entry: unknown = vocab[id];
      if (
        !Array.isArray(entry) || typeof entry[0] !== "string" ||
        (entry[1] !== null && typeof entry[1] !== "number")
      ) {
        throw new TypeError(`Cannot build tokenizer: vocabulary entry ${id} is ${JSON.stringify(entry)}`);
      }
      const piece: string = entry[0];
      this.#scores[id] = entry[1] ?? 0;
      let node = this.#root;
      let length = 0;
      for (const ch of piece) {
        length++;
        if (id < RESERVED_IDS) continue;
        const cp = ch.codePointAt(0)!;
        let child = node.next.get(cp);
        if (child === undefined) {
          child = { next: new Map(), id: -1 };
          node.next.set(cp, child);
        }
        node = child;
      }
      this.#lengths[id] = length;
      if (id >= RESERVED_IDS && length > 0) node.id = id;
    }
    this.#lengths[UNK_ID] = 1; // the unknown piece stands for exactly one code point
    let min = 0;
    for (let id = RESERVED_IDS; id < V; id++) min = Math.min(min, this.#scores[id]!);
    this.#unkPenalty = min - 10; // SentencePiece's kUnkPenalty
  }

  /**
   * Splits a text into vocabulary ids.
   *
   * @param text Any string; the empty string gives no ids.
   * @returns The ids, shape [T], T <= C.
   */
  encode(text: string): Int32Array {
    const normalized = text.normalize("NFKC");
    if (normalized.length === 0) return new Int32Array(0);
    const cps = Array.from(SEPARATOR + normalized.replaceAll(" ", SEPARATOR), (c) => c.codePointAt(0)!);
    const C = cps.length;
    const best = new Float64Array(C + 1).fill(-Infinity); // [C+1] best score of a segmentation of cps[0, e)
    const last = new Int32Array(C + 1).fill(-1); // [C+1] id of the last piece of that segmentation
    best[0] = 0;
    for (let s = 0; s < C; s++) {
      const base = best[s]!;
      let node: TrieNode | undefined = this.#root;
      let matched = false;
      let single = false;
      for (let e = s; e < C && node !== undefined; e++) {
        node = node.next.get(cps[e]!);
        if (node === undefined || node.id < 0) continue;
        matched = true;
        single ||= e === s;
        const score = base + this.#scores[node.id]!;
        if (score >= best[e + 1]!) {
          best[e + 1] = score;
          last[e + 1] = node.id;
        }
      }
      if (!single) {
        const score = matched ? base + this.#unkPenalty : base; // unknown code point
        if (score >= best[s + 1]!) {
          best[s + 1] = score;
          last[s + 1] = UNK_ID;
        }
      }
    }
    // INVARIANT: every position is reachable, since each reachable s offers a one-code-point step.
    const reversed: number[] = [];
    for (let e = C; e > 0; e -= this.#lengths[last[e]!]!) {
      const id = last[e]!;
      if (!(id === UNK_ID && reversed.at(-1) === UNK_ID)) reversed.push(id);
    }
    return Int32Array.from(reversed.reverse());
  }
}
