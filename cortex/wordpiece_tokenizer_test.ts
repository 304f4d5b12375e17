import { WordPieceTokenizer } from "./_wordpiece_tokenizer.ts";

/** The tiny test model's tokenizer: 120 pieces, BertNormalizer (lowercase), BertPreTokenizer, [CLS] A [SEP]. */
const TINY = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/tiny_bert/tokenizer.json", import.meta.url)),
);
const tok = new WordPieceTokenizer(TINY);

function assertEquals(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: got ${a}, expected ${e}`);
}

function assertThrows(fn: () => unknown, type: new (...args: never[]) => Error, includes: string): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof type && e.message.includes(includes)) return;
    throw new Error(`expected ${type.name} with "${includes}", got ${e}`);
  }
  throw new Error(`expected ${type.name} with "${includes}", got no error`);
}

/**
 * Texts and the ids `@huggingface/tokenizers` 0.2.0 (the transformers.js tokenizer, an independent
 * implementation) gives for them with the same `tokenizer.json`, [CLS] = 2 and [SEP] = 3 included.
 */
const REFERENCE_IDS: [string, string][] = [
  ["Hello, World!", "2,99,6,100,7,3"],
  ["Caf\u00E9", "2,101,3"],
  ["na\u00EFve r\u00E9sum\u00E9", "2,103,102,3"],
  ["walking", "2,90,93,3"],
  ["played", "2,91,94,3"],
  ["unplayable", "2,92,68,64,53,77,97,3"],
  ["\uD83D\uDE42", "2,1,3"],
  ["dog\uD83D\uDE42", "2,1,3"],
  ["\u00DF", "2,1,3"],
  ["\u4E2D\u6587time", "2,117,118,88,3"],
  ["he\u0000llo", "2,99,3"],
  ["hel\u200Blo", "2,99,3"],
  ["[MASK] dog", "2,4,81,3"],
  ["the [SEP] cat", "2,79,3,80,3"],
  ["[mask]", "2,1,39,53,95,63,1,3"],
  ["  the\tcat\n", "2,79,80,3"],
  ["a".repeat(101), "2,1,3"],
  ["I remember we met yesterday at the cafe.", "2,35,109,114,115,110,116,79,101,5,3"],
  ["$5+3=8 | ~x^2 `q`", "2,1,22,1,20,1,25,1,1,50,1,19,1,43,1,3"],
  ["don't stop\u2014ever\u2026", "2,30,67,66,9,46,45,72,67,68,1,31,74,96,1,3"],
  ["x\u0085y", "2,50,77,3"],
  ["\u00C5NGSTR\u00D6M", "2,27,66,59,95,72,70,67,65,3"],
  ["\u0130stanbul", "2,85,72,53,66,54,73,64,3"],
  ["\u65E5\u672C\u8A9E", "2,119,1,1,3"],
  ["\uFF26\uFF55\uFF4C\uFF4C\uFF57\uFF49\uFF44\uFF54\uFF48", "2,1,3"],
  ["co-operate (re)use", "2,29,67,11,41,68,96,53,72,57,12,44,57,13,47,95,57,3"],
  ["", "2,3"],
  ["   ", "2,3"],
  ["\uFFFDab", "2,27,54,3"],
  ["e\u0301", "2,31,3"],
  ["\uFB01ne", "2,1,3"],
  ["\u216B", "2,1,3"],
  ["\u00BFqu\u00E9?", "2,1,43,73,57,8,3"],
  ["\u00ABquote\u00BB", "2,1,43,73,67,72,57,1,3"],
  ["1,000.50", "2,18,6,1,5,1,3"],
  ["tab\there", "2,46,53,54,34,96,57,3"],
  ["\u03B1\u03B2\u03B3", "2,1,3"],
  ["DOG's", "2,81,9,45,3"],
  ["##ing", "2,1,1,107,59,3"],
  ["[CLS][SEP]", "2,2,3,3"],
  ["[UNK]", "2,1,3"],
  ["x\u2028y\u00A0z", "2,50,51,52,3"],
];

Deno.test("encode() matches Hugging Face tokenizers.js on 42 texts", () => {
  const bad = REFERENCE_IDS.filter(([text, ids]) => tok.encode(text, 128).ids.join() !== ids)
    .map(([text, ids]) => `${JSON.stringify(text)}: got ${tok.encode(text, 128).ids}, expected ${ids}`);
  if (bad.length > 0) throw new Error(`${bad.length} mismatches:\n${bad.join("\n")}`);
});

Deno.test("tokenize() lowercases, strips accents and isolates punctuation", async (t) => {
  const cases: [string, string[]][] = [
    ["Hello, World!", ["hello", ",", "world", "!"]],
    ["Caf\u00E9 na\u00EFve r\u00E9sum\u00E9", ["cafe", "naive", "resume"]],
    ["e\u0301", ["e"]], // decomposed accent
    ["DOG's", ["dog", "'", "s"]],
    ["  the\tcat\n", ["the", "cat"]],
    ["", []],
  ];
  for (const [text, pieces] of cases) {
    await t.step(JSON.stringify(text), () => assertEquals(tok.tokenize(text), pieces, JSON.stringify(text)));
  }
});

Deno.test("tokenize() splits words into ##subwords, longest match first", async (t) => {
  const cases: [string, string[]][] = [
    ["walking", ["walk", "##ing"]],
    ["played", ["play", "##ed"]],
    ["unplayable", ["un", "##p", "##l", "##a", "##y", "##able"]],
    ["yesterday", ["yesterday"]],
  ];
  for (const [text, pieces] of cases) {
    await t.step(text, () => assertEquals(tok.tokenize(text), pieces, text));
  }
});

Deno.test("tokenize() turns a word with an unknown part into one [UNK]", async (t) => {
  const cases: [string, string[]][] = [
    ["\u{1F642}", ["[UNK]"]],
    ["dog\u{1F642}", ["[UNK]"]], // the whole word, not "dog" + [UNK]
    ["\u00DF", ["[UNK]"]],
    ["1,000", ["1", ",", "[UNK]"]], // "0" is a piece but "##0" is not
    ["a".repeat(101), ["[UNK]"]], // longer than max_input_chars_per_word
  ];
  for (const [text, pieces] of cases) {
    await t.step(JSON.stringify(text).slice(0, 20), () => assertEquals(tok.tokenize(text), pieces, text));
  }
  await t.step(
    "100 characters is still split",
    () => assertEquals(tok.tokenize("a".repeat(100)).length, 100, "a*100"),
  );
});

Deno.test("tokenize() isolates CJK ideographs and drops control and format characters", () => {
  assertEquals(tok.tokenize("\u4E2D\u6587time"), ["\u4E2D", "\u6587", "time"], "CJK");
  assertEquals(tok.tokenize("he\u0000l\u200Blo\uFFFD"), ["hello"], "controls");
});

Deno.test("tokenize() keeps special tokens written in the raw text", () => {
  assertEquals(tok.tokenize("[MASK] dog"), ["[MASK]", "dog"], "[MASK]");
  assertEquals(
    tok.tokenize("[mask]"),
    ["[UNK]", "m", "##a", "##s", "##k", "[UNK]"],
    "lowercase is no special",
  );
});

Deno.test("encode() adds [CLS] and [SEP] and truncates to maxTokens", async (t) => {
  await t.step(
    "specials",
    () => assertEquals(tok.encode("the cat", 64), { ids: [2, 79, 80, 3], typeIds: [0, 0, 0, 0] }, "ids"),
  );
  await t.step("truncation keeps [SEP]", () => {
    assertEquals(tok.encode("the cat sat on the mat", 5).ids, [2, 79, 80, 82, 3], "ids");
  });
  await t.step("room for no piece", () => assertThrows(() => tok.encode("x", 2), RangeError, "maxTokens 2"));
  assertEquals(tok.specialCount, 2, "specialCount");
});

Deno.test("encodeBatch() pads rows on the right with [PAD] and mask 0", () => {
  const b = tok.encodeBatch(["the cat sat", "hello"], 64);
  const state = {
    B: b.B,
    T: b.T,
    ids: [...b.inputIds].map(Number),
    mask: [...b.attentionMask].map(Number),
    types: [...b.tokenTypeIds].map(Number),
  };
  assertEquals(state, {
    B: 2,
    T: 5,
    ids: [2, 79, 80, 82, 3, 2, 99, 3, 0, 0],
    mask: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0],
    types: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  }, "batch");
});

Deno.test("constructor reads BertProcessing, a normalizer Sequence and WhitespaceSplit", () => {
  const cased = new WordPieceTokenizer({
    added_tokens: [],
    normalizer: { type: "Sequence", normalizers: [{ type: "NFD" }, { type: "StripAccents" }] },
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [{ type: "WhitespaceSplit" }, { type: "Punctuation" }],
    },
    post_processor: { type: "BertProcessing", cls: ["<s>", 5], sep: ["</s>", 6] },
    padding: { pad_id: 7 },
    model: {
      type: "WordPiece",
      unk_token: "?",
      vocab: { "?": 0, "Caf": 1, "##e": 2, "!": 3, "cafe": 4, "<s>": 5, "</s>": 6, "<pad>": 7 },
    },
  });
  assertEquals(cased.encode("Caf\u00E9! cafe", 16).ids, [5, 1, 2, 3, 4, 6], "cased ids");
  assertEquals(cased.padId, 7, "padId");
});

Deno.test("constructor rejects a non-WordPiece model and unknown components", async (t) => {
  const base = { model: { type: "WordPiece", unk_token: "[UNK]", vocab: { "[UNK]": 0 } } };
  await t.step(
    "BPE",
    () =>
      assertThrows(() => new WordPieceTokenizer({ model: { type: "BPE", vocab: {} } }), TypeError, '"BPE"'),
  );
  await t.step(
    "normalizer",
    () =>
      assertThrows(
        () => new WordPieceTokenizer({ ...base, normalizer: { type: "Precompiled" } }),
        TypeError,
        '"Precompiled"',
      ),
  );
  await t.step(
    "pre_tokenizer",
    () =>
      assertThrows(
        () => new WordPieceTokenizer({ ...base, pre_tokenizer: { type: "Metaspace" } }),
        TypeError,
        '"Metaspace"',
      ),
  );
  await t.step(
    "unk not in vocab",
    () =>
      assertThrows(
        () => new WordPieceTokenizer({ model: { type: "WordPiece", vocab: {} } }),
        TypeError,
        '"[UNK]"',
      ),
  );
});
