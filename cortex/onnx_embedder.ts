/**
 * An optional {@linkcode Embedder} for any local BERT-family sentence model exported to ONNX (MiniLM,
 * bge, e5, BERT...), run by `onnxruntime-node` on the CPU. Nothing is downloaded: point it at a folder.
 *
 * The folder has the transformers.js / sentence-transformers layout:
 *
 * | file                                       | what                                                 |
 * | ------------------------------------------ | ---------------------------------------------------- |
 * | `onnx/model.onnx` or `model.onnx`          | the encoder; inputs `input_ids`, `attention_mask` and optionally `token_type_ids` (int64 [B, T]); output `last_hidden_state` or `token_embeddings` (float32 [B, T, H]) |
 * | `tokenizer.json`                           | a Hugging Face WordPiece tokenizer                   |
 * | `config.json`                              | `hidden_size` (or `dim`), `max_position_embeddings`  |
 * | `1_Pooling/config.json` (optional)         | sentence-transformers pooling: CLS or mean           |
 *
 * Each call tokenizes (see `_wordpiece_tokenizer.ts`), pads the batch on the right, feeds only the
 * inputs the graph declares, then pools the [B, T, H] output over the unpadded tokens, either their
 * mean (Reimers and Gurevych 2019, "Sentence-BERT", section 3) or the [CLS] token, and scales to unit
 * norm.
 *
 * Why onnxruntime-node and not `@huggingface/transformers`: the runtime is already a dependency, its
 * CPU binaries ship inside the npm package and it loads under Deno; transformers.js 4.x would add
 * `sharp` (an install script that downloads libvips) and a second, newer onnxruntime-node.
 *
 * ONNX Runtime starts once per process: its Node binding shuts its environment down for good when the
 * first Deno runtime that made a session ends, and later sessions fail. `deno test` gives every test
 * module and every doc example its own runtime, so all session-making tests live in one module,
 * `onnx_embedder_test.ts`, and the examples here that make a session are marked `ignore`. The runtime
 * is imported on the first `load`, so importing this module (or `cortex/mod.ts`) costs nothing.
 *
 * Measured in Deno 2.9 on the shared 2-core machine (load average 5.5) with the 32-wide tiny test model,
 * medians: first `load` in a process 76-160 ms (30-60 ms of it importing the runtime), later loads
 * 8-22 ms; `embed` of 1 sentence (22 tokens) 0.26-0.33 ms, of 32 such sentences 3.1-5.6 ms. A real
 * MiniLM-L6 (384-d, 22M weights) costs far more; measure it with the model at hand.
 *
 * Dimension legend: B texts in a batch, T tokens of the longest text (specials included), H hidden width.
 *
 * @module
 */
import type * as Ort from "onnxruntime-node";
import { basename, join } from "node:path";
import type { Embedder } from "./embedder.ts";
import { WordPieceTokenizer } from "./_wordpiece_tokenizer.ts";
import { startSession } from "./_ort.ts";

/** Where a model file may sit, first found wins. */
const MODEL_FILES = ["onnx/model.onnx", "model.onnx"];
const INPUTS = ["input_ids", "attention_mask", "token_type_ids"];
const OUTPUTS = ["last_hidden_state", "token_embeddings"];
/** IR versions ONNX Runtime 1.22 reads: 3 (ONNX 1.1) to 11 (ONNX 1.17). */
const IR_VERSIONS = [3, 11];
const HINT = "re-export or re-download the model folder; the test model is rebuilt by " +
  "`deno run -A tools/gen_tiny_bert_onnx.ts`";

/** Options for {@linkcode OnnxEmbedder.load}. */
export interface OnnxEmbedderOptions {
  /** The model folder (see the module doc for its layout). */
  modelDir: string;
  /**
   * How token vectors become one vector: `"mean"` over unpadded tokens or the first (`"cls"`) token.
   *
   * @default {from `1_Pooling/config.json` if present, else "mean"}
   */
  pooling?: "mean" | "cls";
  /**
   * Whether to scale vectors to unit norm. Leave it on: `false` breaks the {@linkcode Embedder}
   * unit-norm contract and is only for comparing raw pooled outputs.
   *
   * @default {true}
   */
  normalize?: boolean;
  /**
   * Tokens per text, [CLS] and [SEP] included; the rest of a longer text is cut. At most the model's
   * `max_position_embeddings`.
   *
   * @default {256, or `max_position_embeddings` if smaller}
   */
  maxTokens?: number;
  /**
   * The model file inside `modelDir`, for example `"onnx/model_quantized.onnx"`.
   *
   * @default {"onnx/model.onnx" or else "model.onnx"}
   */
  modelFile?: string;
  /**
   * ONNX Runtime intra-op threads. One keeps a shared 2-core machine responsive; raise it for a large
   * model on a free machine.
   *
   * @default {1}
   */
  threads?: number;
}

/**
 * A local ONNX BERT-family sentence embedder.
 *
 * Concurrency: `embed` may be called concurrently; calls queue and run one at a time on the session.
 * Wrap it in a `CachedEmbedder` to batch them.
 *
 * @example Embed with a downloaded MiniLM (not run here: it needs the folder and a session)
 * ```ts ignore
 * import { OnnxEmbedder } from "./onnx_embedder.ts";
 * const minilm = await OnnxEmbedder.load({ modelDir: "models/all-MiniLM-L6-v2" });
 * const [v] = await minilm.embed(["The cat sat on the mat"]);
 * console.log(minilm.dim, v!.length); // 384 384
 * await minilm.dispose();
 * ```
 *
 * @example A folder without a model fails with a hint
 * ```ts
 * import { OnnxEmbedder } from "./onnx_embedder.ts";
 * const error = await OnnxEmbedder.load({ modelDir: "/no/such/model" }).then(() => null, (e: Error) => e);
 * if (!error?.message.includes("tools/gen_tiny_bert_onnx.ts")) throw new Error(`no hint in ${error}`);
 * ```
 */
export class OnnxEmbedder implements Embedder {
  /** The model's hidden width H, for example 384 for MiniLM-L6. */
  readonly dim: number;
  /**
   * `onnx-<folder>-<pooling>-<maxTokens>-<hash>`, with `-raw` before the hash when not normalised; the
   * hash is the first 12 hex digits of SHA-256 over the model file and `tokenizer.json`.
   */
  readonly id: string;
  /** The pooling in use. */
  readonly pooling: "mean" | "cls";
  /** Tokens per text, specials included. */
  readonly maxTokens: number;
  #ort: typeof Ort;
  #session: Ort.InferenceSession;
  #tokenizer: WordPieceTokenizer;
  #normalize: boolean;
  #output: string;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    parts: {
      ort: typeof Ort;
      session: Ort.InferenceSession;
      tokenizer: WordPieceTokenizer;
      output: string;
      dim: number;
    },
    options: { id: string; pooling: "mean" | "cls"; maxTokens: number; normalize: boolean },
  ) {
    this.#ort = parts.ort;
    this.#session = parts.session;
    this.#tokenizer = parts.tokenizer;
    this.#output = parts.output;
    this.dim = parts.dim;
    this.id = options.id;
    this.pooling = options.pooling;
    this.maxTokens = options.maxTokens;
    this.#normalize = options.normalize;
  }

  /**
   * Loads a model folder, checks the graph's inputs and output, and runs one warm-up text.
   *
   * @param options The folder and how to pool.
   * @returns A ready embedder.
   * @throws {Error} If a file is missing or ONNX Runtime rejects the model (the message says how to
   * regenerate the test model).
   * @throws {SyntaxError} If a JSON file is not JSON or the model file is not an ONNX ModelProto.
   * @throws {TypeError} If the tokenizer is not WordPiece, or the graph lacks `input_ids`, has another
   * input, or has no float [B, T, H] output.
   * @throws {RangeError} If `maxTokens` exceeds the model's positions, the IR version is not 3-11, or
   * the output width is not `hidden_size`.
   *
   * @example CLS pooling (not run here: it makes a session)
   * ```ts ignore
   * import { OnnxEmbedder } from "./onnx_embedder.ts";
   * const modelDir = new URL("./testdata/tiny_bert", import.meta.url).pathname;
   * const e = await OnnxEmbedder.load({ modelDir, pooling: "cls", maxTokens: 16 });
   * console.log(e.id); // onnx-tiny_bert-cls-16-<hash>
   * await e.dispose();
   * ```
   *
   * @example Too many tokens for the model
   * ```ts
   * import { OnnxEmbedder } from "./onnx_embedder.ts";
   * const modelDir = new URL("./testdata/tiny_bert", import.meta.url).pathname;
   * const error = await OnnxEmbedder.load({ modelDir, maxTokens: 512 }).then(() => null, (e: Error) => e);
   * if (!(error instanceof RangeError) || !error.message.includes("3..64")) throw new Error(`${error}`);
   * ```
   */
  static async load(options: OnnxEmbedderOptions): Promise<OnnxEmbedder> {
    const dir = options.modelDir;
    const config = parseJson(await readOrThrow(dir, "config.json"), join(dir, "config.json"));
    const H = Number(config.hidden_size ?? config.dim);
    if (!(Number.isInteger(H) && H > 0)) {
      throw new TypeError(
        `Cannot load model "${dir}": config.json has no integer hidden_size or dim; ${HINT}`,
      );
    }
    const positions = Number(config.max_position_embeddings ?? Infinity);
    const tokenizerBytes = await readOrThrow(dir, "tokenizer.json");
    const tokenizer = new WordPieceTokenizer(parseJson(tokenizerBytes, join(dir, "tokenizer.json")));
    const maxTokens = options.maxTokens ?? Math.min(256, positions);
    const least = tokenizer.specialCount + 1;
    if (!(Number.isInteger(maxTokens) && maxTokens >= least && maxTokens <= positions)) {
      throw new RangeError(
        `Cannot load model "${dir}": maxTokens ${maxTokens} is not in ${least}..${positions}`,
      );
    }
    const pooling = options.pooling ?? await poolingOf(dir);

    const file = options.modelFile ?? await firstExisting(dir, MODEL_FILES);
    const where = join(dir, file);
    const bytes = await readOrThrow(dir, file);
    checkHeader(bytes, where);
    // From the path, not the bytes, so that ONNX Runtime finds any external-data file beside it.
    const { ort, session } = await startSession(where, where, options.threads ?? 1, HINT);
    try {
      const output = checkSignature(session, where, H);
      const hash = await fingerprint([bytes, tokenizerBytes]);
      const normalize = options.normalize ?? true;
      const id = `onnx-${basename(dir)}-${pooling}-${maxTokens}${normalize ? "" : "-raw"}-${hash}`;
      const embedder = new OnnxEmbedder({ ort, session, tokenizer, output, dim: H }, {
        id,
        pooling,
        maxTokens,
        normalize,
      });
      await embedder.#run([""]); // warms the kernels; throws unless the output is [1, T, H]
      return embedder;
    } catch (e) {
      await session.release();
      throw e;
    }
  }

  /**
   * Embeds texts in one model call, padded to the longest.
   *
   * Only the first `maxTokens` tokens of a text count, [CLS] and [SEP] included.
   *
   * @param texts The texts; `[]` gives `[]` without touching the model.
   * @returns One Float32Array of length `dim` per text, unit-norm unless `normalize` was false.
   *
   * @example Batched and single calls agree (not run here: it makes a session)
   * ```ts ignore
   * import { OnnxEmbedder } from "./onnx_embedder.ts";
   * const e = await OnnxEmbedder.load({ modelDir: new URL("./testdata/tiny_bert", import.meta.url).pathname });
   * const [a] = await e.embed(["hello"]);
   * const [, b] = await e.embed(["a much longer text than hello", "hello"]);
   * if (a!.some((x, i) => Math.abs(x - b![i]!) > 1e-5)) throw new Error("padding changed the vector");
   * await e.dispose();
   * ```
   */
  embed(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    const run = this.#queue.then(() => this.#run(texts));
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Releases the ONNX Runtime session. The embedder must not be used afterwards. */
  async dispose(): Promise<void> {
    await this.#queue;
    await this.#session.release();
  }

  async #run(texts: string[]): Promise<Float32Array[]> {
    const { B, T, inputIds, attentionMask, tokenTypeIds } = this.#tokenizer.encodeBatch(
      texts,
      this.maxTokens,
    );
    const data: Record<string, BigInt64Array> = {
      input_ids: inputIds,
      attention_mask: attentionMask,
      token_type_ids: tokenTypeIds,
    };
    const feeds: Record<string, Ort.Tensor> = {};
    for (const name of this.#session.inputNames) {
      feeds[name] = new this.#ort.Tensor("int64", data[name]!, [B, T]);
    }
    const result = await this.#session.run(feeds, [this.#output]);
    const out = result[this.#output]!;
    try {
      const [b, t, h] = out.dims;
      if (out.type !== "float32" || out.dims.length !== 3 || b !== B || t !== T || h !== this.dim) {
        throw new RangeError(
          `Cannot embed ${B} texts: output "${this.#output}" is ${out.type} [${out.dims}], expected float32 ` +
            `[${B},${T},${this.dim}]`,
        );
      }
      return pool(
        out.data as Float32Array,
        attentionMask,
        { B, T, H: this.dim },
        this.pooling,
        this.#normalize,
      );
    } finally {
      out.dispose();
    }
  }
}

/**
 * Pools [B, T, H] token vectors into B vectors of [H].
 *
 * REQUIRES: every row of `mask` ([B, T]) starts with at least one 1 (the [CLS] token).
 */
function pool(
  hidden: Float32Array,
  mask: BigInt64Array,
  dims: { B: number; T: number; H: number },
  pooling: "mean" | "cls",
  normalize: boolean,
): Float32Array[] {
  const { B, T, H } = dims;
  const out: Float32Array[] = [];
  for (let b = 0; b < B; b++) {
    const v = new Float32Array(H);
    if (pooling === "cls") v.set(hidden.subarray(b * T * H, b * T * H + H));
    else {
      const sum = new Float64Array(H);
      let n = 0;
      for (let t = 0; t < T; t++) {
        if (mask[b * T + t] === 0n) continue;
        n++;
        for (let h = 0, o = (b * T + t) * H; h < H; h++) sum[h]! += hidden[o + h]!;
      }
      for (let h = 0; h < H; h++) v[h] = sum[h]! / n;
    }
    if (normalize) {
      const norm = Math.hypot(...v);
      for (let h = 0; h < H; h++) v[h] = norm > 0 ? v[h]! / norm : 0;
    }
    out.push(v);
  }
  return out;
}

/** Checks the graph's inputs and picks its [B, T, H] output. */
function checkSignature(session: Ort.InferenceSession, where: string, H: number): string {
  if (!session.inputNames.includes("input_ids")) {
    throw new TypeError(`Cannot load model "${where}": no "input_ids" input among [${session.inputNames}]`);
  }
  for (const meta of session.inputMetadata) {
    if (!INPUTS.includes(meta.name) || (meta.isTensor && meta.type !== "int64")) {
      const type = meta.isTensor ? meta.type : "non-tensor";
      throw new TypeError(
        `Cannot load model "${where}": input "${meta.name}" (${type}) is not an int64 ${INPUTS.join(" or ")}`,
      );
    }
  }
  const output = OUTPUTS.find((o) => session.outputNames.includes(o)) ??
    (session.outputNames.length === 1 ? session.outputNames[0]! : undefined);
  if (output === undefined) {
    throw new TypeError(
      `Cannot load model "${where}": no ${OUTPUTS.join(" or ")} output among [${session.outputNames}]`,
    );
  }
  const meta = session.outputMetadata.find((m) => m.name === output);
  if (meta?.isTensor && meta.shape.length === 3 && typeof meta.shape[2] === "number" && meta.shape[2] !== H) {
    throw new RangeError(
      `Cannot load model "${where}": output "${output}" has width ${meta.shape[2]} but hidden_size is ${H}`,
    );
  }
  return output;
}

/**
 * Checks that the bytes look like a serialized ONNX ModelProto: field 1 (`ir_version`, a varint, tag
 * byte 0x08) comes first, as every ONNX writer emits it, and names a version ONNX Runtime 1.22 reads.
 */
function checkHeader(bytes: Uint8Array, where: string): void {
  const head = Array.from(bytes.subarray(0, 4), (x) => x.toString(16).padStart(2, "0")).join(" ");
  if (bytes.length < 2 || bytes[0] !== 0x08 || bytes[1]! >= 0x80) {
    throw new SyntaxError(
      `Cannot load model "${where}": not an ONNX model (first bytes ${head || "none"}, expected 08 then ` +
        `the IR version); ${HINT}`,
    );
  }
  const ir = bytes[1]!;
  if (ir < IR_VERSIONS[0]! || ir > IR_VERSIONS[1]!) {
    throw new RangeError(
      `Cannot load model "${where}": IR version ${ir} is not in ${IR_VERSIONS.join("..")}; ${HINT}`,
    );
  }
}

/** Reads sentence-transformers' `1_Pooling/config.json`; "mean" when it is absent. */
async function poolingOf(dir: string): Promise<"mean" | "cls"> {
  const path = join(dir, "1_Pooling", "config.json");
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "mean";
    throw e;
  }
  const c = parseJson(bytes, path);
  if (c.pooling_mode_cls_token === true) return "cls";
  if (c.pooling_mode_mean_tokens === true) return "mean";
  throw new TypeError(
    `Cannot load model "${dir}": pooling in "${path}" is neither CLS nor mean; pass pooling`,
  );
}

async function firstExisting(dir: string, names: string[]): Promise<string> {
  for (const name of names) {
    try {
      await Deno.stat(join(dir, name));
      return name;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  throw new Error(
    `Cannot load model "${dir}": found neither ${names.map((n) => `"${n}"`).join(" nor ")}; ${HINT}`,
  );
}

async function fingerprint(parts: Uint8Array[]): Promise<string> {
  const hashes = await Promise.all(
    parts.map((p) => crypto.subtle.digest("SHA-256", p as Uint8Array<ArrayBuffer>)),
  );
  const joined = new Uint8Array(hashes.flatMap((h) => [...new Uint8Array(h)]));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
  return Array.from(digest.subarray(0, 6), (x) => x.toString(16).padStart(2, "0")).join("");
}

async function readOrThrow(dir: string, name: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(join(dir, name));
  } catch (e) {
    throw new Error(`Cannot load model "${dir}": cannot read "${name}": ${message(e)}; ${HINT}`, {
      cause: e,
    });
  }
}

// deno-lint-ignore no-explicit-any
function parseJson(bytes: Uint8Array, path: string): any {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new SyntaxError(`Cannot load model "${path}": not JSON: ${message(e)}; ${HINT}`);
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
