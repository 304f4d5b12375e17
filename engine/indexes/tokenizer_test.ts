import {
  MAX_TOKEN_LENGTH,
  splitWords,
  stemWord,
  STOP_WORDS,
  tokenize,
  TOKENIZER_VERSION,
} from "./tokenizer.ts";

function expectWords(text: string, want: string[], fn = splitWords): void {
  const got = fn(text);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(
      `${fn.name}(${JSON.stringify(text)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`,
    );
  }
}

Deno.test("splitWords() folds case and splits on punctuation and whitespace", () => {
  expectWords("Hello, WORLD!  hello\tworld\n", ["hello", "world", "hello", "world"]);
  expectWords("e-mail: bob@example.com (urgent)", ["e", "mail", "bob", "example", "com", "urgent"]);
  expectWords("don't", ["don", "t"]);
  expectWords("snake_case/kebab-case.path", ["snake", "case", "kebab", "case", "path"]);
});

Deno.test("splitWords() keeps digits, dates and ordinals", () => {
  expectWords("Meeting on 2023-05-01 at 10:30, the 7th time", [
    "meeting",
    "2023",
    "05",
    "01",
    "10",
    "30",
    "7th",
    "time",
  ]);
  expectWords("v2 costs $3.50", ["v2", "costs", "3", "50"]);
});

Deno.test("splitWords() normalises Unicode with NFKC before folding", async (t) => {
  await t.step("composed and decomposed accents give the same term", () => {
    expectWords("Café", ["café"]);
    expectWords("Cafe\u0301", ["café"]);
  });
  await t.step("compatibility forms fold to their plain letters and digits", () => {
    expectWords("ＡＢＣ １２３", ["abc", "123"]); // full-width
    expectWords("ﬁne x²", ["fine", "x2"]); // ligature, superscript
  });
  await t.step("non-Latin scripts are letters", () => {
    expectWords("Москва ΑΘΗΝΑ", ["москва", "αθηνα"]);
    expectWords("東京タワー", ["東京タワー"]); // no word segmentation for CJK
  });
  await t.step("combining marks stay inside a word", () => {
    expectWords("हिन्दी भाषा", ["हिन्दी", "भाषा"]);
  });
});

Deno.test("splitWords() drops stop words but not other short words", () => {
  expectWords("The cat and THE hat is in a box", ["cat", "hat", "box"]);
  expectWords("I told you we were there", ["i", "told", "you", "we"]);
  expectWords("the of and to", []);
  for (const w of ["a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "is", "are", "was", "were"]) {
    if (!STOP_WORDS.has(w)) throw new Error(`"${w}" is not a stop word`);
  }
  for (const w of STOP_WORDS) {
    if (w !== w.toLowerCase() || splitWords(w).length !== 0) throw new Error(`stop word "${w}" survives`);
  }
});

Deno.test("splitWords() drops tokens longer than the limit in code points", () => {
  const ok = "x".repeat(MAX_TOKEN_LENGTH), long = "x".repeat(MAX_TOKEN_LENGTH + 1);
  expectWords(`${ok} ${long} end`, [ok, "end"]);
  // 64 astral letters are 128 UTF-16 units but 64 code points: kept.
  const astral = "𝒜".repeat(MAX_TOKEN_LENGTH);
  const got = splitWords(astral);
  if (got.length !== 1) throw new Error(`astral token dropped: ${got.length} tokens`);
  expectWords("𝒜".repeat(MAX_TOKEN_LENGTH + 1), []);
});

Deno.test("splitWords() returns nothing for empty or symbol-only text and never a NUL", () => {
  expectWords("", []);
  expectWords("  \u0000 --- !!! \u0301", []);
  expectWords("a\u0000b", ["b"]);
  expectWords("x\u0000y", ["x", "y"]);
});

Deno.test("tokenize() is splitWords() then Porter stems of ASCII words", () => {
  if (TOKENIZER_VERSION !== 2) throw new Error(`TOKENIZER_VERSION ${TOKENIZER_VERSION}: update this test`);
  expectWords("She researched adoption agencies, painting sunsets", [
    "she",
    "research",
    "adopt",
    "agenc",
    "paint",
    "sunset",
  ], tokenize);
  expectWords("Meeting on 2023-05-01, the 7th time in the UK", [
    "meet",
    "2023",
    "05",
    "01",
    "7th",
    "time",
    "uk",
  ], tokenize);
  expectWords("Café Москва naïve", ["café", "москва", "naïve"], tokenize); // Porter is for English only
  for (const text of ["Running runners ran", "The caring sisters' news", "x² ＡＢＣ"]) {
    const want = splitWords(text).map(stemWord);
    expectWords(text, want, tokenize);
  }
});

Deno.test("stemWord() maps a word and its stem's re-split to the same term on both index and query side", () => {
  // A query rewriter joins the words it keeps; the index must stem them exactly as it stems documents.
  const words = splitWords("What kind of paintings did she research?");
  const joined = words.filter((w) => w !== "what" && w !== "kind" && w !== "did").join(" ");
  expectWords(joined, ["paint", "she", "research"], tokenize);
});
