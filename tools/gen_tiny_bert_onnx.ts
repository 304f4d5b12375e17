/**
 * Writes the tiny BERT test model that `cortex/onnx_embedder_test.ts` runs: a real two-layer BERT-shaped
 * ONNX graph with seeded random weights, its WordPiece `tokenizer.json` and its `config.json`, in the
 * transformers.js layout (`onnx/model.onnx` beside the two JSON files).
 *
 * Usage: `deno run -A tools/gen_tiny_bert_onnx.ts [outDir]` (default `cortex/testdata/tiny_bert/`).
 * The output is byte-for-byte the same on every run, so a regenerated folder shows no git diff.
 *
 * The graph is the BERT encoder of Devlin et al. 2019 ("BERT", section 3 and figure 2), written with the
 * ops a PyTorch export at opset 14 uses, none of them fused:
 *
 * - embeddings: Gather(word) + Slice(position, 0..T) + Gather(token type), then LayerNorm;
 * - attention bias: (1 - Cast(attention_mask)) * -10000, unsqueezed to [B, 1, 1, T] (the TF BERT value);
 * - per layer: Q/K/V = MatMul + Add, split into heads, softmax(Q K^T / sqrt(dH) + bias) V, merge heads,
 *   output MatMul + Add, residual + LayerNorm, then MatMul + Add, GELU (erf form), MatMul + Add,
 *   residual + LayerNorm;
 * - LayerNorm is ReduceMean, Sub, Mul, ReduceMean, Add(eps), Sqrt, Div, Mul(gamma), Add(beta).
 *
 * Weights are stored by their PyTorch names. Transposes: every `*.dense.weight`, `query/key/value.weight`
 * is stored [in, out] for MatMul, the transpose of PyTorch's nn.Linear [out, in]; embeddings and
 * LayerNorm parameters are stored as in PyTorch.
 *
 * Dimension legend: B batch, T tokens, V vocabulary (120), H hidden (32), NH heads (2), DH head width (16),
 * F feed-forward width (64), P positions (64).
 *
 * @module
 */
import onnxProto from "onnx-proto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const { onnx } = onnxProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;

/** The model's shape: small enough that `model.onnx` is about 100 kB (25k float32 weights). */
export const TINY_BERT = {
  hiddenSize: 32,
  heads: 2,
  intermediateSize: 64,
  layers: 2,
  /** Longest input, [CLS] and [SEP] included. */
  maxPositions: 64,
  typeVocabSize: 2,
  /** As BERT's; LayerNorm of Ba et al. 2016, eq. 4. */
  layerNormEps: 1e-12,
  /** Seeds the weight generator; change it and the test model changes. */
  seed: 20240601,
} as const;

const SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const LETTERS = "abcdefghijklmnopqrstuvwxyz".split("");
/** 120 pieces: specials, punctuation, digits, letters, "##" letters, then words and suffixes. */
export const TINY_VOCAB: readonly string[] = [
  ...SPECIALS,
  ...".,!?'\"-():;/".split(""),
  ..."0123456789".split(""),
  ...LETTERS,
  ...LETTERS.map((c) => "##" + c),
  ..."the cat dog sat on mat is was memory time agent walk play un ##ing ##ed ##s ##er ##able ##ly"
    .split(" "),
  ..."hello world cafe resume naive to and of in it remember yesterday today morning night we met at"
    .split(" "),
  "中",
  "文",
  "日",
];

/** Options for {@linkcode buildTinyBert}. */
export interface TinyBertOptions {
  /**
   * Whether the graph has a `token_type_ids` input and a token-type embedding (BERT, MiniLM, bge do;
   * DistilBERT does not).
   *
   * @default {true}
   */
  tokenTypes?: boolean;
}

/** The three files of a model folder, ready to write. */
export interface TinyBertFiles {
  /** `onnx/model.onnx`: a serialized ModelProto. */
  model: Uint8Array;
  /** `tokenizer.json` text. */
  tokenizer: string;
  /** `config.json` text. */
  config: string;
}

/**
 * Builds the tiny BERT model, tokenizer and config in memory.
 *
 * @param options Whether to include token types.
 * @returns The three files' contents.
 *
 * @example Deterministic bytes
 * ```ts
 * import { buildTinyBert } from "./gen_tiny_bert_onnx.ts";
 * const a = buildTinyBert(), b = buildTinyBert();
 * if (a.model.length !== b.model.length || !a.model.every((x, i) => x === b.model[i])) throw new Error("differ");
 * ```
 */
export function buildTinyBert(options: TinyBertOptions = {}): TinyBertFiles {
  const tokenTypes = options.tokenTypes ?? true;
  return { model: buildModel(tokenTypes), tokenizer: buildTokenizer(), config: buildConfig() };
}

/**
 * Builds the files and writes them under `dir` (`onnx/model.onnx`, `tokenizer.json`, `config.json`).
 *
 * @param dir The model folder; created if missing.
 * @param options Whether to include token types.
 */
export async function writeTinyBert(dir: string, options: TinyBertOptions = {}): Promise<void> {
  const files = buildTinyBert(options);
  await Deno.mkdir(join(dir, "onnx"), { recursive: true });
  await Deno.writeFile(join(dir, "onnx", "model.onnx"), files.model);
  await Deno.writeTextFile(join(dir, "tokenizer.json"), files.tokenizer);
  await Deno.writeTextFile(join(dir, "config.json"), files.config);
}

function buildConfig(): string {
  const c = TINY_BERT;
  return JSON.stringify(
    {
      _name_or_path: "t4dm/tiny-bert-test",
      architectures: ["BertModel"],
      model_type: "bert",
      vocab_size: TINY_VOCAB.length,
      hidden_size: c.hiddenSize,
      num_hidden_layers: c.layers,
      num_attention_heads: c.heads,
      intermediate_size: c.intermediateSize,
      hidden_act: "gelu",
      max_position_embeddings: c.maxPositions,
      type_vocab_size: c.typeVocabSize,
      layer_norm_eps: c.layerNormEps,
      pad_token_id: 0,
      t4dm_generator: "deno run -A tools/gen_tiny_bert_onnx.ts",
      t4dm_seed: c.seed,
    },
    null,
    2,
  ) + "\n";
}

function buildTokenizer(): string {
  const id = (t: string) => TINY_VOCAB.indexOf(t);
  const special = (t: string) => ({ id: t, ids: [id(t)], tokens: [t] });
  return JSON.stringify(
    {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: SPECIALS.map((t) => ({
        id: id(t),
        content: t,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      normalizer: {
        type: "BertNormalizer",
        clean_text: true,
        handle_chinese_chars: true,
        strip_accents: null,
        lowercase: true,
      },
      pre_tokenizer: { type: "BertPreTokenizer" },
      post_processor: {
        type: "TemplateProcessing",
        single: [
          { SpecialToken: { id: "[CLS]", type_id: 0 } },
          { Sequence: { id: "A", type_id: 0 } },
          { SpecialToken: { id: "[SEP]", type_id: 0 } },
        ],
        pair: [
          { SpecialToken: { id: "[CLS]", type_id: 0 } },
          { Sequence: { id: "A", type_id: 0 } },
          { SpecialToken: { id: "[SEP]", type_id: 0 } },
          { Sequence: { id: "B", type_id: 1 } },
          { SpecialToken: { id: "[SEP]", type_id: 1 } },
        ],
        special_tokens: { "[CLS]": special("[CLS]"), "[SEP]": special("[SEP]") },
      },
      decoder: { type: "WordPiece", prefix: "##", cleanup: true },
      model: {
        type: "WordPiece",
        unk_token: "[UNK]",
        continuing_subword_prefix: "##",
        max_input_chars_per_word: 100,
        vocab: Object.fromEntries(TINY_VOCAB.map((t, i) => [t, i])),
      },
    },
    null,
    2,
  ) + "\n";
}

/** mulberry32 (Tommy Ettinger, public domain): a 32-bit seeded generator, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildModel(tokenTypes: boolean): Uint8Array {
  const { hiddenSize: H, heads: NH, intermediateSize: F, maxPositions: P } = TINY_BERT;
  const V = TINY_VOCAB.length, DH = H / NH;
  const rand = mulberry32(TINY_BERT.seed);
  /** Box-Muller normal samples with standard deviation `std`. */
  const normal = (n: number, std: number, mean = 0) =>
    Float32Array.from({ length: n }, () => {
      const u = 1 - rand(), v = rand();
      return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    });
  const inits: ITensorProto[] = [];
  const nodes: INodeProto[] = [];
  const f32 = (name: string, dims: number[], data: Float32Array) => {
    if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new RangeError(`Bad size for "${name}"`);
    inits.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: le(data) });
    return name;
  };
  const i64 = (name: string, values: number[]) => {
    const data = BigInt64Array.from(values.map(BigInt));
    inits.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: le(data) });
    return name;
  };
  let n = 0;
  /** Appends one node and returns its (single) output name. */
  const op = (type: string, inputs: string[], attrs: IAttributeProto[] = [], out = `t${n}`) => {
    nodes.push({ opType: type, name: `${type}_${n++}`, input: inputs, output: [out], attribute: attrs });
    return out;
  };
  const ints = (name: string, v: number[]): IAttributeProto => ({
    name,
    ints: v,
    type: onnx.AttributeProto.AttributeType.INTS,
  });
  const int = (name: string, v: number): IAttributeProto => ({
    name,
    i: v,
    type: onnx.AttributeProto.AttributeType.INT,
  });
  // Scalars and shapes shared by every layer.
  const one = f32("const.one", [], Float32Array.of(1));
  const half = f32("const.half", [], Float32Array.of(0.5));
  const sqrt2 = f32("const.sqrt2", [], Float32Array.of(Math.SQRT2));
  const eps = f32("const.eps", [], Float32Array.of(TINY_BERT.layerNormEps));
  const scale = f32("const.sqrt_head_dim", [], Float32Array.of(Math.sqrt(DH)));
  const splitHeads = i64("const.split_heads_shape", [0, 0, NH, DH]);
  const mergeHeads = i64("const.merge_heads_shape", [0, 0, H]);

  const layerNorm = (x: string, prefix: string) => {
    const g = f32(`${prefix}.weight`, [H], normal(H, 0.1, 1));
    const b = f32(`${prefix}.bias`, [H], normal(H, 0.1));
    const mean = op("ReduceMean", [x], [ints("axes", [-1]), int("keepdims", 1)]);
    const d = op("Sub", [x, mean]);
    const variance = op("ReduceMean", [op("Mul", [d, d])], [ints("axes", [-1]), int("keepdims", 1)]);
    const y = op("Div", [d, op("Sqrt", [op("Add", [variance, eps])])]);
    return op("Add", [op("Mul", [y, g]), b]);
  };
  const linear = (x: string, prefix: string, nIn: number, nOut: number) => {
    const w = f32(`${prefix}.weight`, [nIn, nOut], normal(nIn * nOut, 1 / Math.sqrt(nIn))); // [in, out]
    const b = f32(`${prefix}.bias`, [nOut], normal(nOut, 0.1));
    return op("Add", [op("MatMul", [x, w]), b]);
  };

  // Embeddings: [B, T, H].
  const word = f32("embeddings.word_embeddings.weight", [V, H], normal(V * H, 1));
  const pos = f32("embeddings.position_embeddings.weight", [P, H], normal(P * H, 0.5));
  const seqLen = op("Slice", [
    op("Shape", ["input_ids"]),
    i64("const.one_i64", [1]),
    i64("const.two_i64", [2]),
  ]);
  const zero = i64("const.zero_i64", [0]);
  let emb = op("Add", [
    op("Gather", [word, "input_ids"], [int("axis", 0)]),
    op("Slice", [pos, zero, seqLen, zero]), // [T, H], broadcast over B
  ]);
  if (tokenTypes) {
    const type = f32("embeddings.token_type_embeddings.weight", [2, H], normal(2 * H, 0.5));
    emb = op("Add", [emb, op("Gather", [type, "token_type_ids"], [int("axis", 0)])]);
  }
  let x = layerNorm(emb, "embeddings.LayerNorm");

  // Additive attention bias: 0 where attended, -10000 at padding; [B, 1, 1, T].
  const mask = op("Cast", ["attention_mask"], [int("to", onnx.TensorProto.DataType.FLOAT)]);
  const negBig = f32("const.mask_value", [], Float32Array.of(-10000));
  const bias = op("Unsqueeze", [op("Mul", [op("Sub", [one, mask]), negBig]), i64("const.axes_1_2", [1, 2])]);

  for (let l = 0; l < TINY_BERT.layers; l++) {
    const p = `encoder.layer.${l}`;
    const heads = (name: string, perm: number[]) =>
      op("Transpose", [op("Reshape", [linear(x, `${p}.attention.self.${name}`, H, H), splitHeads])], [
        ints("perm", perm),
      ]);
    const q = heads("query", [0, 2, 1, 3]); // [B, NH, T, DH]
    const k = heads("key", [0, 2, 3, 1]); // [B, NH, DH, T]
    const v = heads("value", [0, 2, 1, 3]); // [B, NH, T, DH]
    const scores = op("Add", [op("Div", [op("MatMul", [q, k]), scale]), bias]); // [B, NH, T, T]
    const probs = op("Softmax", [scores], [int("axis", -1)]);
    const ctx = op("Reshape", [
      op("Transpose", [op("MatMul", [probs, v])], [ints("perm", [0, 2, 1, 3])]),
      mergeHeads,
    ]); // [B, T, H]
    const attn = linear(ctx, `${p}.attention.output.dense`, H, H);
    x = layerNorm(op("Add", [attn, x]), `${p}.attention.output.LayerNorm`);
    const h = linear(x, `${p}.intermediate.dense`, H, F); // [B, T, F]
    const gelu = op("Mul", [op("Mul", [h, op("Add", [op("Erf", [op("Div", [h, sqrt2])]), one])]), half]);
    const out = linear(gelu, `${p}.output.dense`, F, H);
    x = layerNorm(op("Add", [out, x]), `${p}.output.LayerNorm`);
  }
  op("Identity", [x], [], "last_hidden_state");

  const dims = (...d: (string | number)[]) => ({
    dim: d.map((v) => typeof v === "string" ? { dimParam: v } : { dimValue: v }),
  });
  const tensorInfo = (name: string, elemType: number, shape: ReturnType<typeof dims>) => ({
    name,
    type: { tensorType: { elemType, shape } },
  });
  const I64 = onnx.TensorProto.DataType.INT64;
  const inputs = ["input_ids", "attention_mask", ...(tokenTypes ? ["token_type_ids"] : [])]
    .map((name) => tensorInfo(name, I64, dims("batch_size", "sequence_length")));
  return onnx.ModelProto.encode({
    irVersion: 7,
    opsetImport: [{ domain: "", version: 14 }],
    producerName: "t4dm tools/gen_tiny_bert_onnx.ts",
    producerVersion: "1",
    graph: {
      name: "tiny_bert",
      node: nodes,
      initializer: inits,
      input: inputs,
      output: [
        tensorInfo(
          "last_hidden_state",
          onnx.TensorProto.DataType.FLOAT,
          dims("batch_size", "sequence_length", H),
        ),
      ],
    },
  }).finish();
}

/** The little-endian bytes of a typed array (this generator only runs on little-endian hosts). */
function le(data: Float32Array | BigInt64Array): Uint8Array {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
    throw new Error("Cannot write ONNX: big-endian host");
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

if (import.meta.main) {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = Deno.args[0] ?? join(here, "..", "cortex", "testdata", "tiny_bert");
  await writeTinyBert(dir);
  const size = (await Deno.stat(join(dir, "onnx", "model.onnx"))).size;
  console.error(`gen_tiny_bert_onnx: wrote ${dir} (model.onnx ${size} bytes, vocab ${TINY_VOCAB.length})`);
}
