import { MAX_TOKEN_LENGTH, STOP_WORDS, tokenize } from "./tokenizer.ts";

function expectTokens(text: string, want: string[]): void {
  const got = tokenize(text);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(
      `tokenize(${JSON.stringify(text)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`,
    );
  }
}

Deno.test("tokenize() folds case and splits on punctuation and whitespace", () => {
  expectTokens("Hello, WORLD!  hello\tworld\n", ["hello", "world", "hello", "world"]);
  expectTokens("e-mail: bob@example.com (urgent)", ["e", "mail", "bob", "example", "com", "urgent"]);
  expectTokens("don't", ["don", "t"]);
  expectTokens("snake_case/kebab-case.path", ["snake", "case", "kebab", "case", "path"]);
});

Deno.test("tokenize() keeps digits, dates and ordinals", () => {
  expectTokens("Meeting on 2023-05-01 at 10:30, the 7th time", [
    "meeting",
    "2023",
    "05",
    "01",
    "10",
    "30",
    "7th",
    "time",
  ]);
  expectTokens("v2 costs $3.50", ["v2", "costs", "3", "50"]);
});

Deno.test("tokenize() normalises Unicode with NFKC before folding", async (t) => {
  await t.step("composed and decomposed accents give the same term", () => {
    expectTokens("Café", ["café"]);
    expectTokens("Cafe\u0301", ["café"]);
  });
  await t.step("compatibility forms fold to their plain letters and digits", () => {
    expectTokens("ＡＢＣ １２３", ["abc", "123"]); // full-width
    expectTokens("ﬁne x²", ["fine", "x2"]); // ligature, superscript
  });
  await t.step("non-Latin scripts are letters", () => {
    expectTokens("Москва ΑΘΗΝΑ", ["москва", "αθηνα"]);
    expectTokens("東京タワー", ["東京タワー"]); // no word segmentation for CJK
  });
  await t.step("combining marks stay inside a word", () => {
    expectTokens("हिन्दी भाषा", ["हिन्दी", "भाषा"]);
  });
});

Deno.test("tokenize() drops stop words but not other short words", () => {
  expectTokens("The cat and THE hat is in a box", ["cat", "hat", "box"]);
  expectTokens("I told you we were there", ["i", "told", "you", "we"]);
  expectTokens("the of and to", []);
  for (const w of ["a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "is", "are", "was", "were"]) {
    if (!STOP_WORDS.has(w)) throw new Error(`"${w}" is not a stop word`);
  }
  for (const w of STOP_WORDS) {
    if (w !== w.toLowerCase() || tokenize(w).length !== 0) throw new Error(`stop word "${w}" survives`);
  }
});

Deno.test("tokenize() drops tokens longer than the limit in code points", () => {
  const ok = "x".repeat(MAX_TOKEN_LENGTH), long = "x".repeat(MAX_TOKEN_LENGTH + 1);
  expectTokens(`${ok} ${long} end`, [ok, "end"]);
  // 64 astral letters are 128 UTF-16 units but 64 code points: kept.
  const astral = "𝒜".repeat(MAX_TOKEN_LENGTH);
  const got = tokenize(astral);
  if (got.length !== 1) throw new Error(`astral token dropped: ${got.length} tokens`);
  expectTokens("𝒜".repeat(MAX_TOKEN_LENGTH + 1), []);
});

Deno.test("tokenize() returns nothing for empty or symbol-only text and never a NUL", () => {
  expectTokens("", []);
  expectTokens("  \u0000 --- !!! \u0301", []);
  expectTokens("a\u0000b", ["b"]);
  expectTokens("x\u0000y", ["x", "y"]);
});
