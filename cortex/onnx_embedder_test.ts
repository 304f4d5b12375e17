/**
 * Tests of {@linkcode OnnxEmbedder} on the tiny BERT that `tools/gen_tiny_bert_onnx.ts` generates, against
 * a plain TypeScript float64 forward pass of the same graph that reads the same `model.onnx` by name; and
 * of {@linkcode UseOnnxEmbedder} (USE lite rewritten for ONNX Runtime) against TF.js running the original.
 *
 * Every test that makes an ONNX Runtime session is in this one module: the runtime starts once per
 * process (see `onnx_embedder.ts`).
 *
 * Dimension legend: B batch, T tokens, V vocabulary, H hidden, NH heads, DH head width, F feed-forward, P
 * positions.
 *
 * @module
 */
import * as ort from "onnxruntime-node";
import onnxProto from "onnx-proto";
import { join } from "node:path";
import { OnnxEmbedder } from "./onnx_embedder.ts";
import { WordPieceTokenizer } from "./_wordpiece_tokenizer.ts";
import { writeTinyBert } from "../tools/gen_tiny_bert_onnx.ts";
import { loadUseLite, UseOnnxEmbedder } from "./use_onnx_embedder.ts";
import { UseEmbedder } from "./use_embedder.ts";
import { WorkerEmbedder } from "./worker_embedder.ts";

const DIR = new URL("./testdata/tiny_bert", import.meta.url).pathname;
const MODEL = join(DIR, "onnx", "model.onnx");
const CONFIG = JSON.parse(await Deno.readTextFile(join(DIR, "config.json")));
/** float32 ONNX Runtime against the float64 reference, on LayerNorm outputs of size ~1. */
const HIDDEN_TOLERANCE = 1e-4;
/** The same on unit vectors. */
const VECTOR_TOLERANCE = 1e-5;
const TEXTS = [
  "The cat sat on the mat.",
  "I remember we met yesterday at the cafe",
  "walking the dog in the morning",
  "hello",
  "",
  "Na\u00EFve agent memory, time and \u4E2D\u6587!",
];

// ---------------------------------------------------------------------------------------------------------
// Reference forward pass (Devlin et al. 2019, BERT encoder), float64, written from the graph's definition.

interface Weights {
  get(name: string, shape: number[]): Float32Array;
  has(name: string): boolean;
}

/**
 * Reads the initializers of a ModelProto by name and checks each requested shape.
 * Transposes: none are needed; `*.weight` of every MatMul is stored [in, out] (PyTorch's nn.Linear
 * [out, in] transposed), so y = x W here as in the graph.
 */
function loadWeights(bytes: Uint8Array): Weights {
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const byName = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? "", t]));
  return {
    has: (name) => byName.has(name),
    get(name, shape) {
      const t = byName.get(name);
      if (!t) throw new TypeError(`Cannot load weight "${name}": not in the model`);
      const dims = (t.dims ?? []).map(Number);
      if (dims.join() !== shape.join() || t.dataType !== onnxProto.onnx.TensorProto.DataType.FLOAT) {
        throw new TypeError(
          `Cannot load weight "${name}": type ${t.dataType} [${dims}], expected float [${shape}]`,
        );
      }
      const raw = t.rawData!;
      return new Float32Array(raw.slice().buffer, 0, raw.length / 4); // copy: raw may be unaligned
    },
  };
}

/** erf to ~1e-13: Taylor series below 3, else the continued fraction of erfc (A&S 7.1.14). */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = a, sum = a;
    for (let n = 1; n < 80; n++) {
      term *= -a * a / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * sum * 2 / Math.sqrt(Math.PI);
  }
  let k = a;
  for (let n = 60; n >= 1; n--) k = a + (n / 2) / k;
  return Math.sign(x) * (1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * k));
}

/** x [N, nIn] times w [nIn, nOut] plus b [nOut], into [N, nOut]. */
function linear(x: Float64Array, w: Float32Array, b: Float32Array, nIn: number, nOut: number): Float64Array {
  const N = x.length / nIn, y = new Float64Array(N * nOut);
  for (let r = 0; r < N; r++) {
    for (let o = 0; o < nOut; o++) {
      let s = b[o]!;
      for (let i = 0; i < nIn; i++) s += x[r * nIn + i]! * w[i * nOut + o]!;
      y[r * nOut + o] = s;
    }
  }
  return y;
}

/** LayerNorm (Ba et al. 2016, eq. 4) over the last axis of x [N, H], in place. */
function layerNorm(x: Float64Array, g: Float32Array, b: Float32Array, H: number, eps: number): Float64Array {
  for (let r = 0; r < x.length / H; r++) {
    let mean = 0, v = 0;
    for (let h = 0; h < H; h++) mean += x[r * H + h]! / H;
    for (let h = 0; h < H; h++) v += (x[r * H + h]! - mean) ** 2 / H;
    for (let h = 0; h < H; h++) x[r * H + h] = (x[r * H + h]! - mean) / Math.sqrt(v + eps) * g[h]! + b[h]!;
  }
  return x;
}

/** The encoder on one padded batch; returns last_hidden_state [B, T, H]. */
function referenceForward(
  w: Weights,
  input: { B: number; T: number; ids: BigInt64Array; mask: BigInt64Array; types: BigInt64Array },
): Float64Array {
  const { B, T } = input;
  const H: number = CONFIG.hidden_size, NH: number = CONFIG.num_attention_heads, DH = H / NH;
  const F: number = CONFIG.intermediate_size, eps: number = CONFIG.layer_norm_eps;
  const V: number = CONFIG.vocab_size, P: number = CONFIG.max_position_embeddings;
  const word = w.get("embeddings.word_embeddings.weight", [V, H]);
  const pos = w.get("embeddings.position_embeddings.weight", [P, H]);
  const type = w.has("embeddings.token_type_embeddings.weight")
    ? w.get("embeddings.token_type_embeddings.weight", [CONFIG.type_vocab_size, H])
    : undefined;
  const out = new Float64Array(B * T * H);
  for (let b = 0; b < B; b++) {
    let x: Float64Array = new Float64Array(T * H); // [T, H]
    for (let t = 0; t < T; t++) {
      const id = Number(input.ids[b * T + t]), tt = Number(input.types[b * T + t]);
      for (let h = 0; h < H; h++) {
        x[t * H + h] = word[id * H + h]! + pos[t * H + h]! + (type ? type[tt * H + h]! : 0);
      }
    }
    const ln = (v: Float64Array, p: string) =>
      layerNorm(v, w.get(`${p}.weight`, [H]), w.get(`${p}.bias`, [H]), H, eps);
    const dense = (v: Float64Array, p: string, nIn: number, nOut: number) =>
      linear(v, w.get(`${p}.weight`, [nIn, nOut]), w.get(`${p}.bias`, [nOut]), nIn, nOut);
    x = ln(x, "embeddings.LayerNorm");
    for (let l = 0; l < CONFIG.num_hidden_layers; l++) {
      const p = `encoder.layer.${l}`;
      const q = dense(x, `${p}.attention.self.query`, H, H), k = dense(x, `${p}.attention.self.key`, H, H);
      const v = dense(x, `${p}.attention.self.value`, H, H), ctx = new Float64Array(T * H);
      for (let n = 0; n < NH; n++) {
        for (let i = 0; i < T; i++) {
          const s = new Float64Array(T);
          for (let j = 0; j < T; j++) {
            for (let d = 0; d < DH; d++) s[j]! += q[i * H + n * DH + d]! * k[j * H + n * DH + d]!;
            s[j] = s[j]! / Math.sqrt(DH) + (input.mask[b * T + j] === 0n ? -10000 : 0);
          }
          const max = Math.max(...s);
          let z = 0;
          for (let j = 0; j < T; j++) z += s[j] = Math.exp(s[j]! - max);
          for (let j = 0; j < T; j++) {
            for (let d = 0; d < DH; d++) ctx[i * H + n * DH + d]! += s[j]! / z * v[j * H + n * DH + d]!;
          }
        }
      }
      const attn = dense(ctx, `${p}.attention.output.dense`, H, H);
      for (let i = 0; i < T * H; i++) attn[i]! += x[i]!;
      x = ln(attn, `${p}.attention.output.LayerNorm`);
      const hid = dense(x, `${p}.intermediate.dense`, H, F).map((u) => 0.5 * u * (1 + erf(u / Math.SQRT2)));
      const ffn = dense(hid, `${p}.output.dense`, F, H);
      for (let i = 0; i < T * H; i++) ffn[i]! += x[i]!;
      x = ln(ffn, `${p}.output.LayerNorm`);
    }
    out.set(x, b * T * H);
  }
  return out;
}

/** Mean (over mask) or first-token pooling of [B, T, H], scaled to unit norm. */
function referencePool(
  hidden: Float64Array,
  mask: BigInt64Array,
  B: number,
  T: number,
  cls: boolean,
): number[][] {
  const H: number = CONFIG.hidden_size;
  return Array.from({ length: B }, (_, b) => {
    const v = new Array<number>(H).fill(0);
    let n = 0;
    for (let t = 0; t < (cls ? 1 : T); t++) {
      if (mask[b * T + t] === 0n) continue;
      n++;
      for (let h = 0; h < H; h++) v[h]! += hidden[(b * T + t) * H + h]!;
    }
    const norm = Math.hypot(...v.map((x) => x / n));
    return v.map((x) => x / n / norm);
  });
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function assertClose(
  what: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
): void {
  const d = maxDiff(actual, expected);
  if (!(d <= tol)) {
    const first = (x: ArrayLike<number>) => Array.from(x).slice(0, 4).map((v) => v.toFixed(6)).join(", ");
    throw new Error(
      `${what}: max abs diff ${d.toExponential(2)} > ${tol}; got [${first(actual)}, ...], ` +
        `expected [${first(expected)}, ...]`,
    );
  }
}

async function tokenizer(dir = DIR): Promise<WordPieceTokenizer> {
  return new WordPieceTokenizer(JSON.parse(await Deno.readTextFile(join(dir, "tokenizer.json"))));
}

// ---------------------------------------------------------------------------------------------------------

Deno.test("ONNX Runtime's last_hidden_state matches the TypeScript reference forward pass", async () => {
  const bytes = await Deno.readFile(MODEL);
  const batch = (await tokenizer()).encodeBatch(TEXTS, 64);
  const { B, T } = batch;
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const tensor = (data: BigInt64Array) => new ort.Tensor("int64", data, [B, T]);
    const out = await session.run({
      input_ids: tensor(batch.inputIds),
      attention_mask: tensor(batch.attentionMask),
      token_type_ids: tensor(batch.tokenTypeIds),
    });
    const got = out.last_hidden_state!;
    const ref = referenceForward(loadWeights(bytes), {
      B,
      T,
      ids: batch.inputIds,
      mask: batch.attentionMask,
      types: batch.tokenTypeIds,
    });
    if (got.dims.join() !== [B, T, CONFIG.hidden_size].join()) throw new Error(`dims ${got.dims}`);
    assertClose("last_hidden_state", got.data as Float32Array, ref, HIDDEN_TOLERANCE);
    console.error(
      `  max |ort - reference| over [${got.dims}]: ${
        maxDiff(got.data as Float32Array, ref).toExponential(2)
      }`,
    );
  } finally {
    await session.release();
  }
});

Deno.test("OnnxEmbedder.load() reads the generated model and its vectors match the reference", async (t) => {
  const bytes = await Deno.readFile(MODEL);
  const batch = (await tokenizer()).encodeBatch(TEXTS, 64);
  const ref = referenceForward(loadWeights(bytes), {
    B: batch.B,
    T: batch.T,
    ids: batch.inputIds,
    mask: batch.attentionMask,
    types: batch.tokenTypeIds,
  });
  for (const pooling of ["mean", "cls"] as const) {
    await t.step(pooling, async () => {
      const e = await OnnxEmbedder.load({ modelDir: DIR, pooling });
      try {
        const state = { dim: e.dim, pooling: e.pooling, maxTokens: e.maxTokens };
        if (JSON.stringify(state) !== JSON.stringify({ dim: 32, pooling, maxTokens: 64 })) {
          throw new Error(`state ${JSON.stringify(state)}`);
        }
        if (!/^onnx-tiny_bert-(mean|cls)-64-[0-9a-f]{12}$/.test(e.id)) throw new Error(`id ${e.id}`);
        const got = await e.embed(TEXTS);
        const want = referencePool(ref, batch.attentionMask, batch.B, batch.T, pooling === "cls");
        const flat = got.flatMap((v) => [...v]);
        assertClose(`${pooling} vectors`, flat, want.flat(), VECTOR_TOLERANCE);
        console.error(
          `  max |embed - reference| over ${got.length}x${e.dim}: ${
            maxDiff(flat, want.flat()).toExponential(2)
          }`,
        );
      } finally {
        await e.dispose();
      }
    });
  }
});

Deno.test("embed() gives unit, deterministic vectors, and a batch equals single calls within 1e-5", async () => {
  const e = await OnnxEmbedder.load({ modelDir: DIR });
  try {
    const batch = await e.embed(TEXTS);
    const again = await e.embed(TEXTS);
    const singles = await Promise.all(TEXTS.map((text) => e.embed([text]).then((v) => v[0]!)));
    for (const [i, v] of batch.entries()) {
      const norm = Math.hypot(...v);
      if (v.length !== 32 || Math.abs(norm - 1) > 1e-6) {
        throw new Error(`text ${i}: length ${v.length}, norm ${norm}`);
      }
      if (maxDiff(v, again[i]!) !== 0) throw new Error(`text ${i}: not deterministic`);
      assertClose(`text ${i} batch vs single`, v, singles[i]!, 1e-5);
    }
    if ((await e.embed([])).length !== 0) throw new Error("embed([]) is not []");
  } finally {
    await e.dispose();
  }
});

Deno.test("mean and cls pooling give different vectors, and raw vectors are not normalised", async () => {
  const mean = await OnnxEmbedder.load({ modelDir: DIR });
  const cls = await OnnxEmbedder.load({ modelDir: DIR, pooling: "cls" });
  const raw = await OnnxEmbedder.load({ modelDir: DIR, normalize: false });
  try {
    const [m] = await mean.embed(["walking the dog"]), [c] = await cls.embed(["walking the dog"]);
    const [r] = await raw.embed(["walking the dog"]);
    const cos = m!.reduce((s, x, i) => s + x * c![i]!, 0);
    if (!(cos < 0.99) || mean.id === cls.id) throw new Error(`cosine ${cos}, ids ${mean.id} ${cls.id}`);
    const norm = Math.hypot(...r!);
    assertClose("raw / |raw|", r!.map((x) => x / norm), m!, 1e-6);
    if (Math.abs(norm - 1) < 1e-3 || !raw.id.includes("-raw-")) {
      throw new Error(`raw norm ${norm}, id ${raw.id}`);
    }
  } finally {
    await Promise.all([mean.dispose(), cls.dispose(), raw.dispose()]);
  }
});

Deno.test("embed() cuts texts to maxTokens, [CLS] and [SEP] included", async () => {
  const e = await OnnxEmbedder.load({ modelDir: DIR, maxTokens: 8 });
  try {
    const six = "the cat sat on the mat";
    const [a, b, c] = await e.embed([six, `${six} and the dog`, "the cat sat on the"]);
    if (maxDiff(a!, b!) !== 0) throw new Error("words after token 8 changed the vector");
    if (maxDiff(a!, c!) === 0) throw new Error("the 8th token did not count");
    const long = await e.embed(["memory ".repeat(500)]); // beyond the 64 positions, cut to 8
    if (long[0]?.length !== 32) throw new Error("long text failed");
  } finally {
    await e.dispose();
  }
});

Deno.test("a graph without token_type_ids is fed only the inputs it declares", async () => {
  const dir = await Deno.makeTempDir({ prefix: "t4dm_tiny_bert_" });
  try {
    await writeTinyBert(dir, { tokenTypes: false });
    const bytes = await Deno.readFile(join(dir, "onnx", "model.onnx"));
    const weights = loadWeights(bytes);
    if (weights.has("embeddings.token_type_embeddings.weight")) throw new Error("variant has token types");
    const e = await OnnxEmbedder.load({ modelDir: dir });
    try {
      const batch = (await tokenizer(dir)).encodeBatch(TEXTS, 64);
      const ref = referenceForward(weights, {
        B: batch.B,
        T: batch.T,
        ids: batch.inputIds,
        mask: batch.attentionMask,
        types: batch.tokenTypeIds,
      });
      const want = referencePool(ref, batch.attentionMask, batch.B, batch.T, false);
      assertClose("vectors", (await e.embed(TEXTS)).flatMap((v) => [...v]), want.flat(), VECTOR_TOLERANCE);
    } finally {
      await e.dispose();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("load() fails with a regeneration hint on a missing or damaged model folder", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "t4dm_tiny_bert_" });
  const good = await Deno.readFile(MODEL);
  const setUp = async (model: Uint8Array | undefined, files = ["config.json", "tokenizer.json"]) => {
    await Deno.remove(dir, { recursive: true });
    await Deno.mkdir(dir);
    for (const f of files) await Deno.copyFile(join(DIR, f), join(dir, f));
    if (model) await Deno.writeFile(join(dir, "model.onnx"), model);
  };
  const expectError = async (type: new (...a: never[]) => Error, includes: string[]) => {
    const error = await OnnxEmbedder.load({ modelDir: dir }).then(async (e) => {
      await e.dispose();
      return undefined;
    }, (e: unknown) => e);
    const ok = error instanceof type && includes.every((s) => (error as Error).message.includes(s));
    if (!ok) throw new Error(`expected ${type.name} with ${JSON.stringify(includes)}, got ${error}`);
  };
  const HINT = "deno run -A tools/gen_tiny_bert_onnx.ts";
  try {
    await t.step("model.onnx at the folder root loads", async () => {
      await setUp(good);
      const e = await OnnxEmbedder.load({ modelDir: dir });
      await e.dispose();
    });
    await t.step("no model file", async () => {
      await setUp(undefined);
      await expectError(Error, ['found neither "onnx/model.onnx" nor "model.onnx"', HINT]);
    });
    await t.step("not an ONNX file", async () => {
      await setUp(new TextEncoder().encode("<html>404 Not Found</html>"));
      await expectError(SyntaxError, ["not an ONNX model (first bytes 3c 68 74 6d", HINT]);
    });
    await t.step("unreadable IR version", async () => {
      await setUp(Uint8Array.of(0x08, 99, ...good.subarray(2)));
      await expectError(RangeError, ["IR version 99 is not in 3..11", HINT]);
    });
    await t.step("truncated", async () => {
      await setUp(good.subarray(0, good.length >> 1));
      await expectError(Error, ["ONNX Runtime rejected it", HINT]);
    });
    await t.step("flipped bytes", async () => {
      const bad = good.slice();
      for (let i = 64; i < bad.length; i += 97) bad[i]! ^= 0xff;
      await setUp(bad);
      await expectError(Error, ["ONNX Runtime rejected it", HINT]);
    });
    await t.step("no tokenizer.json", async () => {
      await setUp(good, ["config.json"]);
      await expectError(Error, ['cannot read "tokenizer.json"', HINT]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------------------
// USE lite on ONNX Runtime against TF.js on the original graph.

/** Texts that reach every path: empty, one piece, unicode, digits, and past the 128-token cut. */
const USE_TEXTS = [
  "",
  "hi",
  "The cat sat on the mat.",
  "Caroline went to the LGBTQ support group on 7 May 2023 and felt accepted.",
  "Na\u00EFve agent memory, time and \u4E2D\u6587! 12:30 pm, $4.50, e-mail: a@b.c",
  "I walked the dog this morning before work and then had coffee with Anna near the river. ".repeat(12),
  "What did Melanie paint last week? She painted a sunset over the lake, with purple clouds.",
];

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

Deno.test("UseOnnxEmbedder gives TF.js's USE lite vectors within 1e-5, alone and in mixed batches", async () => {
  const tfjs = await UseEmbedder.load();
  const use = await UseOnnxEmbedder.load({ threads: 2 });
  try {
    if (use.id !== tfjs.id || use.dim !== 512) throw new Error(`id ${use.id}, dim ${use.dim}`);
    const want = await tfjs.embed(USE_TEXTS);
    const batch = await use.embed(USE_TEXTS);
    for (let i = 0; i < USE_TEXTS.length; i++) {
      const [alone] = await use.embed([USE_TEXTS[i]!]);
      for (const [how, got] of [["batch", batch[i]!], ["alone", alone!]] as const) {
        const d = maxAbsDiff(got, want[i]!);
        if (!(d < 1e-5)) throw new Error(`text ${i} (${how}): max difference ${d} from TF.js`);
        const norm = Math.hypot(...got);
        if (Math.abs(norm - 1) > 1e-5) throw new Error(`text ${i} (${how}): norm ${norm}`);
      }
    }
    // Different texts must give different vectors (a graph that ignored its input would pass the above
    // only if TF.js did too).
    if (maxAbsDiff(batch[2]!, batch[3]!) < 0.01) throw new Error("two different texts gave one vector");
  } finally {
    tfjs.dispose();
    await use.dispose();
  }
});

Deno.test("UseOnnxEmbedder serves concurrent callers in order and 100 texts in one call", async () => {
  const use = await UseOnnxEmbedder.load({ threads: 1 });
  try {
    const texts = Array.from({ length: 100 }, (_, i) => `memory number ${i}: ${"word ".repeat(i % 40)}`);
    const [all, ...singles] = await Promise.all([
      use.embed(texts),
      ...texts.slice(0, 10).map((t) => use.embed([t])),
    ]);
    if (all!.length !== 100) throw new Error(`${all!.length} vectors`);
    for (let i = 0; i < 10; i++) {
      const d = maxAbsDiff(all![i]!, singles[i]![0]!);
      if (!(d < 1e-5)) throw new Error(`text ${i}: batch and single call differ by ${d}`);
    }
    if ((await use.embed([])).length !== 0) throw new Error("[] gave vectors");
  } finally {
    await use.dispose();
  }
});

Deno.test("loadUseLite picks ONNX Runtime where it can start; bad options and folders fail clearly", async (t) => {
  await t.step("ONNX Runtime", async () => {
    const use = await loadUseLite();
    try {
      if (!use.runtime.startsWith("onnxruntime")) throw new Error(`runtime ${use.runtime}`);
    } finally {
      await use.dispose();
    }
  });
  await t.step("threads out of range", async () => {
    const e = await UseOnnxEmbedder.load({ threads: 0 }).catch((e) => e);
    if (!(e instanceof RangeError) || !/threads 0/.test(e.message)) throw new Error(`got ${e}`);
  });
  await t.step("missing folder: no fallback hides it", async () => {
    const dir = await Deno.makeTempDir();
    try {
      const e = await loadUseLite({ modelDir: dir }).catch((e) => e);
      if (!(e instanceof Error) || !/cannot read "model.json"/.test(e.message)) throw new Error(`got ${e}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  await t.step("not USE lite", async () => {
    const dir = await Deno.makeTempDir();
    try {
      const weights = new Float32Array(4);
      await Deno.writeFile(join(dir, "w.bin"), new Uint8Array(weights.buffer));
      await Deno.writeTextFile(join(dir, "vocab.json"), "[]");
      await Deno.writeTextFile(
        join(dir, "model.json"),
        JSON.stringify({
          modelTopology: {},
          weightsManifest: [{ paths: ["w.bin"], weights: [{ name: "x", shape: [4], dtype: "float32" }] }],
        }),
      );
      const e = await UseOnnxEmbedder.load({ modelDir: dir }).catch((e) => e);
      if (!(e instanceof RangeError) || !/not USE lite/.test(e.message)) throw new Error(`got ${e}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

// Here, while this module's runtime holds ONNX Runtime: a worker started in a later test module would find
// it shut down and fall back to TF.js (see _ort.ts).
Deno.test("WorkerEmbedder runs USE lite on ONNX Runtime in its worker, with the in-thread vectors", async () => {
  const use = await UseOnnxEmbedder.load({ threads: 1 });
  const pool = await WorkerEmbedder.load({ workers: 1 });
  try {
    if (pool.runtime !== "onnxruntime (1 thread) on 1 worker") throw new Error(`runtime ${pool.runtime}`);
    const want = await use.embed(USE_TEXTS);
    const [got, ...alone] = await Promise.all([
      pool.embed(USE_TEXTS),
      ...USE_TEXTS.map((t) => pool.embed([t])),
    ]);
    for (let i = 0; i < USE_TEXTS.length; i++) {
      for (const v of [got![i]!, alone[i]![0]!]) {
        const d = maxAbsDiff(v, want[i]!);
        if (!(d < 1e-5)) throw new Error(`text ${i}: max difference ${d} from the in-thread runner`);
      }
    }
  } finally {
    pool.dispose();
    await use.dispose();
  }
});
