/**
 * The learned and numeric parts of T4DM: text embedders and time encodings.
 *
 * - {@linkcode Embedder} is the contract: texts in, unit-norm `Float32Array` vectors out.
 * - {@linkcode loadUseLite} gives the default, Universal Sentence Encoder lite (512-d), loaded offline
 *   from `node_modules/`: {@linkcode UseOnnxEmbedder} runs it on ONNX Runtime (about ten times faster),
 *   {@linkcode UseEmbedder} on TensorFlow.js (wasm) where ONNX Runtime cannot start; same vectors.
 * - {@linkcode OnnxEmbedder} runs a local BERT-family ONNX model folder (MiniLM, bge) with ONNX Runtime.
 * - {@linkcode WorkerEmbedder} runs USE lite on TF.js in a pool of Deno Workers.
 * - {@linkcode CachedEmbedder} puts an LRU cache and a request batcher in front of any embedder.
 * - {@linkcode time2vec} encodes an event time (Kazemi et al. 2019, eq. 1), and
 *   {@linkcode time2vecSimilarity} compares two encodings by where they fall in the day, week and year.
 *
 * Nothing here reads files except the `load` functions, which read the model's weights.
 * {@linkcode OnnxEmbedder.load} likewise reads only the model folder it is given.
 *
 * @example Embed, cache and compare
 * ```ts
 * import { CachedEmbedder, embedOne, UseEmbedder } from "./mod.ts";
 * const use = await UseEmbedder.load();
 * const embedder = new CachedEmbedder(use);
 * const a = await embedOne(embedder, "I walked the dog this morning");
 * const b = await embedOne(embedder, "This morning I took the dog for a walk");
 * const cos = a.reduce((s, v, i) => s + v * b[i]!, 0);
 * if (!(cos > 0.7)) throw new Error(`cosine ${cos}`);
 * use.dispose();
 * ```
 *
 * @module
 */
export type { Embedder } from "./embedder.ts";
export { embedOne } from "./embedder.ts";
export { CachedEmbedder, type CachedEmbedderOptions } from "./cached_embedder.ts";
export { UseEmbedder, type UseEmbedderOptions } from "./use_embedder.ts";
export {
  loadUseLite,
  type UseLite,
  UseOnnxEmbedder,
  type UseOnnxEmbedderOptions,
} from "./use_onnx_embedder.ts";
export { OnnxEmbedder, type OnnxEmbedderOptions } from "./onnx_embedder.ts";
export { WorkerEmbedder, type WorkerEmbedderOptions } from "./worker_embedder.ts";
export {
  createTime2VecParams,
  DAY_MS,
  time2vec,
  type Time2VecOptions,
  type Time2VecParams,
  type Time2VecPeriod,
  time2vecSimilarity,
  WEEK_MS,
  YEAR_MS,
} from "./time2vec.ts";
