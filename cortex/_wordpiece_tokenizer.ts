/**
 * The WordPiece tokenizer of BERT-family models, read from a Hugging Face `tokenizer.json`.
 *
 * It does what the Hugging Face `tokenizers` library does for BERT, MiniLM and bge, written afresh:
 *
 * 1. Split out added tokens whose `normalized` is false (all of BERT's specials, so a literal "[SEP]" in
 *    the text becomes the [SEP] id) from the raw text; `lstrip`, `rstrip` and `single_word` are ignored.
 * 2. Normalise per `normalizer`: `BertNormalizer` drops control characters and U+FFFD and maps
 *    whitespace to " " (clean_text), puts spaces around CJK ideographs, strips accents (NFD, then drop
 *    non-spacing marks; by default when lowercasing) and lowercases. Also `Lowercase`, `StripAccents`,
 *    `NFC`/`NFD`/`NFKC`/`NFKD`, `Strip` and a `Sequence` of these.
 * 3. Pre-tokenize per `pre_tokenizer`: `BertPreTokenizer` splits on whitespace (dropped) and isolates
 *    each punctuation character (ASCII punctuation or Unicode P*). Also `WhitespaceSplit`, `Whitespace`,
 *    `Punctuation` and a `Sequence`.
 * 4. WordPiece (Schuster and Nakajima 2012; Wu et al. 2016, section 4.1): greedy longest match first,
 *    pieces after the first prefixed with `##`; a word with any unmatched rest, or longer than
 *    `max_input_chars_per_word` code points, becomes one [UNK].
 * 5. Truncate to the token budget less the specials, then add the specials of `post_processor`
 *    (`TemplateProcessing`'s single template or `BertProcessing`), with their type ids.
 *
 * Dimension legend: B texts in a batch, T tokens of the longest text (specials included).
 *
 * @module
 */

/** Token ids and token type ids of one text, specials included. */
export interface WordPieceEncoding {
  /** Vocabulary ids, shape [T_text]. */
  ids: number[];
  /** Segment (token type) ids, shape [T_text]; all 0 for one sequence. */
  typeIds: number[];
}

/** A right-padded batch, as the int64 tensors a BERT graph takes. */
export interface WordPieceBatch {
  /** Texts. */
  B: number;
  /** Tokens per row: the longest encoding. */
  T: number;
  /** Shape [B, T]; padding is `padId`. */
  inputIds: BigInt64Array;
  /** Shape [B, T]; 1 for tokens, 0 for padding. */
  attentionMask: BigInt64Array;
  /** Shape [B, T]; 0 for padding. */
  tokenTypeIds: BigInt64Array;
}

type Json = Record<string, unknown>;
type Part = { special: number[]; typeId: number } | { sequence: true; typeId: number };

/** ASCII punctuation (Rust's `is_ascii_punctuation`, which includes $+<=>^`|~) or Unicode P*. */
const PUNCT = /^[!-/:-@[-`{-~]$|^\p{P}$/u;
const WHITESPACE = /\p{White_Space}/u;
const CONTROL = /\p{C}/u;
const MARK_NONSPACING = /\p{Mn}/gu;
/** What Rust's regex calls `\w`, for the `Whitespace` pre-tokenizer's `\w+|[^\w\s]+`. */
const WORD_OR_SYMBOLS =
  /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]+|[^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}\s]+/gu;

/**
 * A WordPiece tokenizer built from a parsed `tokenizer.json`. Stateless after construction.
 *
 * @example Lowercase, split punctuation, add [CLS] and [SEP]
 * ```ts
 * import { WordPieceTokenizer } from "./_wordpiece_tokenizer.ts";
 * const vocab = { "[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hi": 4, "!": 5 };
 * const tok = new WordPieceTokenizer({
 *   normalizer: { type: "BertNormalizer", lowercase: true },
 *   pre_tokenizer: { type: "BertPreTokenizer" },
 *   post_processor: { type: "BertProcessing", cls: ["[CLS]", 2], sep: ["[SEP]", 3] },
 *   model: { type: "WordPiece", unk_token: "[UNK]", vocab },
 * });
 * const { ids } = tok.encode("Hi!", 8);
 * if (ids.join() !== "2,4,5,3") throw new Error(`ids ${ids}`);
 * ```
 */
export class WordPieceTokenizer {
  /** The id rows are padded with: `padding.pad_id`, else "[PAD]", else 0. */
  readonly padId: number;
  /** How many specials the post-processor adds to one text. */
  readonly specialCount: number;
  #vocab: Map<string, number>;
  #unkId: number;
  #prefix: string;
  #maxChars: number;
  /** Longest vocabulary entry in code points: no match can be longer. */
  #maxPiece: number;
  #added: Map<string, number>;
  #addedPattern: RegExp | undefined;
  #normalize: (s: string) => string;
  #preTokenize: (s: string) => string[];
  #template: Part[];
  /** Piece by id, built on the first `tokenize` call. */
  #pieces: Map<number, string> | undefined;

  /**
   * Reads the tokenizer from a parsed `tokenizer.json`.
   *
   * @param json The parsed file.
   * @throws {TypeError} If the model is not WordPiece, or a normalizer, pre-tokenizer or post-processor
   * type is not one listed in the module doc, or a special token is not in the vocabulary.
   */
  constructor(json: unknown) {
    const root = obj(json, "tokenizer.json");
    const model = obj(root.model, "model");
    if (model.type !== "WordPiece" || typeof model.vocab !== "object" || model.vocab === null) {
      throw new TypeError(`Cannot build tokenizer: model type is "${model.type}", expected "WordPiece"`);
    }
    this.#vocab = new Map(Object.entries(model.vocab as Record<string, number>));
    this.#prefix = String(model.continuing_subword_prefix ?? "##");
    this.#maxChars = Number(model.max_input_chars_per_word ?? 100);
    this.#maxPiece = 0;
    for (const piece of this.#vocab.keys()) this.#maxPiece = Math.max(this.#maxPiece, [...piece].length);
    this.#added = new Map();
    for (const t of Array.isArray(root.added_tokens) ? root.added_tokens as Json[] : []) {
      if (t.normalized === false && typeof t.content === "string" && t.content !== "") {
        this.#added.set(t.content, Number(t.id));
      }
    }
    this.#unkId = this.#idOf(String(model.unk_token ?? "[UNK]"));
    const escaped = [...this.#added.keys()].sort((a, b) => b.length - a.length)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.#addedPattern = escaped.length > 0 ? new RegExp(`(${escaped.join("|")})`) : undefined;
    this.#normalize = normalizer(root.normalizer);
    this.#preTokenize = preTokenizer(root.pre_tokenizer);
    this.#template = this.#postProcessor(root.post_processor);
    this.specialCount = this.#template.reduce((n, p) => n + ("special" in p ? p.special.length : 0), 0);
    const padding = root.padding as Json | null | undefined;
    this.padId = typeof padding?.pad_id === "number" ? padding.pad_id : (this.#vocab.get("[PAD]") ?? 0);
  }

  /**
   * Splits a text into vocabulary pieces, without specials or truncation.
   *
   * @param text Any text.
   * @returns The pieces, for example `["walk", "##ing"]`; unknown words as the unknown token.
   */
  tokenize(text: string): string[] {
    this.#pieces ??= new Map([...this.#vocab, ...this.#added].map(([piece, id]) => [id, piece]));
    return this.#ids(text).map((id) => this.#pieces!.get(id) ?? String(id));
  }

  /**
   * Encodes one text: pieces cut to `maxTokens` less the specials, then the specials added.
   *
   * @param text Any text; `""` gives only the specials.
   * @param maxTokens The most tokens to return, specials included.
   * @returns Ids and type ids, at most `maxTokens` of each.
   * @throws {RangeError} If `maxTokens` leaves no room for a piece beside the specials.
   */
  encode(text: string, maxTokens: number): WordPieceEncoding {
    if (!(maxTokens > this.specialCount)) {
      throw new RangeError(
        `Cannot encode text: maxTokens ${maxTokens} leaves no room beside ${this.specialCount} special tokens`,
      );
    }
    const pieces = this.#ids(text).slice(0, maxTokens - this.specialCount);
    const ids: number[] = [], typeIds: number[] = [];
    for (const part of this.#template) {
      const add = "special" in part ? part.special : pieces;
      for (const id of add) {
        ids.push(id);
        typeIds.push(part.typeId);
      }
    }
    return { ids, typeIds };
  }

  /**
   * Encodes texts and pads them on the right to the longest.
   *
   * @param texts At least one text.
   * @param maxTokens The most tokens per text, specials included.
   * @returns The [B, T] tensors' data.
   * @throws {RangeError} As {@linkcode WordPieceTokenizer.encode}.
   */
  encodeBatch(texts: string[], maxTokens: number): WordPieceBatch {
    const rows = texts.map((t) => this.encode(t, maxTokens));
    const B = rows.length, T = Math.max(1, ...rows.map((r) => r.ids.length));
    const inputIds = new BigInt64Array(B * T).fill(BigInt(this.padId));
    const attentionMask = new BigInt64Array(B * T);
    const tokenTypeIds = new BigInt64Array(B * T);
    for (let b = 0; b < B; b++) {
      const row = rows[b]!;
      for (let t = 0; t < row.ids.length; t++) {
        inputIds[b * T + t] = BigInt(row.ids[t]!);
        attentionMask[b * T + t] = 1n;
        tokenTypeIds[b * T + t] = BigInt(row.typeIds[t]!);
      }
    }
    return { B, T, inputIds, attentionMask, tokenTypeIds };
  }

  /** Ids of a text's pieces: added tokens from the raw text, the rest normalised and WordPiece'd. */
  #ids(text: string): number[] {
    const out: number[] = [];
    const chunks = this.#addedPattern ? text.split(this.#addedPattern) : [text];
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      if (i % 2 === 1) out.push(this.#added.get(chunk)!); // split() puts captured matches at odd indices
      else for (const word of this.#preTokenize(this.#normalize(chunk))) this.#wordPiece(word, out);
    }
    return out;
  }

  /** Appends the greedy longest-match-first pieces of one word, or one unknown id, to `out`. */
  #wordPiece(word: string, out: number[]): void {
    const chars = [...word];
    if (chars.length > this.#maxChars) {
      out.push(this.#unkId);
      return;
    }
    const start = out.length;
    for (let i = 0; i < chars.length;) {
      let found = -1, end = Math.min(chars.length, i + this.#maxPiece);
      for (; end > i; end--) {
        const piece = (i > 0 ? this.#prefix : "") + chars.slice(i, end).join("");
        const id = this.#vocab.get(piece);
        if (id !== undefined) {
          found = id;
          break;
        }
      }
      if (found < 0) {
        out.length = start;
        out.push(this.#unkId);
        return;
      }
      out.push(found);
      i = end;
    }
  }

  #idOf(token: string): number {
    const id = this.#vocab.get(token) ?? this.#added.get(token);
    if (id === undefined) {
      throw new TypeError(`Cannot build tokenizer: token "${token}" is not in the vocabulary`);
    }
    return id;
  }

  #postProcessor(spec: unknown): Part[] {
    if (spec === null || spec === undefined) return [{ sequence: true, typeId: 0 }];
    const p = obj(spec, "post_processor");
    if (p.type === "BertProcessing") {
      const [cls, sep] = [p.cls, p.sep] as [[string, number], [string, number]];
      return [{ special: [cls[1]], typeId: 0 }, { sequence: true, typeId: 0 }, {
        special: [sep[1]],
        typeId: 0,
      }];
    }
    if (p.type === "TemplateProcessing" && Array.isArray(p.single)) {
      const specials = (p.special_tokens ?? {}) as Record<string, { ids?: number[] }>;
      return (p.single as Json[]).map((item): Part => {
        const s = item.SpecialToken as { id: string; type_id?: number } | undefined;
        if (s) return { special: specials[s.id]?.ids ?? [this.#idOf(s.id)], typeId: s.type_id ?? 0 };
        const q = obj(item.Sequence, "post_processor.single[].Sequence");
        return { sequence: true, typeId: Number(q.type_id ?? 0) };
      });
    }
    throw new TypeError(`Cannot build tokenizer: post_processor type "${p.type}" is not supported`);
  }
}

/** Builds the text-to-text function of a `normalizer` entry. */
function normalizer(spec: unknown): (s: string) => string {
  if (spec === null || spec === undefined) return (s) => s;
  const n = obj(spec, "normalizer");
  switch (n.type) {
    case "BertNormalizer": {
      const lowercase = n.lowercase !== false;
      const strip = (n.strip_accents ?? lowercase) === true;
      return (s) => {
        if (n.clean_text !== false) s = cleanText(s);
        if (n.handle_chinese_chars !== false) s = spaceCjk(s);
        if (strip) s = stripAccents(s);
        return lowercase ? s.toLowerCase() : s;
      };
    }
    case "Lowercase":
      return (s) => s.toLowerCase();
    case "StripAccents":
      return (s) => s.replace(MARK_NONSPACING, "");
    case "NFC":
    case "NFD":
    case "NFKC":
    case "NFKD":
      return (s) => s.normalize(n.type as string);
    case "Strip":
      return (s) => {
        if (n.strip_left !== false) s = s.trimStart();
        return n.strip_right !== false ? s.trimEnd() : s;
      };
    case "Sequence": {
      const steps = (n.normalizers as unknown[]).map(normalizer);
      return (s) => steps.reduce((acc, f) => f(acc), s);
    }
  }
  throw new TypeError(`Cannot build tokenizer: normalizer type "${n.type}" is not supported`);
}

/** Builds the text-to-words function of a `pre_tokenizer` entry. */
function preTokenizer(spec: unknown): (s: string) => string[] {
  if (spec === null || spec === undefined) return (s) => (s === "" ? [] : [s]);
  const p = obj(spec, "pre_tokenizer");
  switch (p.type) {
    case "BertPreTokenizer":
      return (s) => splitWords(s, true);
    case "WhitespaceSplit":
      return (s) => splitWords(s, false);
    case "Whitespace":
      return (s) => s.match(WORD_OR_SYMBOLS) ?? [];
    case "Punctuation":
      if ((p.behavior ?? "Isolated") !== "Isolated") break;
      return (s) => splitWords(s, true, false);
    case "Sequence": {
      const steps = (p.pretokenizers as unknown[]).map(preTokenizer);
      return (s) => steps.reduce((words: string[], f) => words.flatMap(f), [s]);
    }
  }
  throw new TypeError(`Cannot build tokenizer: pre_tokenizer type "${p.type}" is not supported`);
}

/** Splits on whitespace (dropped, if `onSpace`) and isolates punctuation (if `onPunct`). */
function splitWords(s: string, onPunct: boolean, onSpace = true): string[] {
  const words: string[] = [];
  let word = "";
  for (const c of s) {
    if (onSpace && WHITESPACE.test(c)) {
      if (word) words.push(word);
      word = "";
    } else if (onPunct && PUNCT.test(c)) {
      if (word) words.push(word);
      words.push(c);
      word = "";
    } else word += c;
  }
  if (word) words.push(word);
  return words;
}

/** Drops U+FFFD and other (C*) characters but tab, LF and CR; maps whitespace to " ". */
function cleanText(s: string): string {
  let out = "";
  for (const c of s) {
    if (c === "\t" || c === "\n" || c === "\r") out += " ";
    else if (c === "\uFFFD" || CONTROL.test(c)) continue; // before the whitespace test: U+0085 is both
    else out += WHITESPACE.test(c) ? " " : c;
  }
  return out;
}

/** Puts spaces around CJK Unified Ideographs, as BERT's `_tokenize_chinese_chars`. */
function spaceCjk(s: string): string {
  let out = "";
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    const cjk = (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
      (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
      (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
      (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    out += cjk ? ` ${c} ` : c;
  }
  return out;
}

function stripAccents(s: string): string {
  return s.normalize("NFD").replace(MARK_NONSPACING, "");
}

function obj(v: unknown, what: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new TypeError(`Cannot build tokenizer: ${what} is not an object`);
  }
  return v as Json;
}
