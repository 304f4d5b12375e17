/**
 * The contract every text embedder in T4DM meets, and {@linkcode embedOne} for the single-text case.
 *
 * @module
 */

/**
 * Maps texts to unit-length vectors in one fixed space.
 *
 * INVARIANT: every vector returned has length `dim` and Euclidean norm 1 (within float32 rounding), so a
 * dot product is the cosine similarity.
 * INVARIANT: two embedders with the same `id` map the same text to the same vector (within 1e-4), so
 * vectors stored under one `id` may be compared with fresh ones from another instance.
 *
 * @example A constant embedder
 * ```ts
 * import type { Embedder } from "./embedder.ts";
 * const unit: Embedder = {
 *   dim: 2,
 *   id: "unit-x",
 *   embed: (texts) => Promise.resolve(texts.map(() => Float32Array.of(1, 0))),
 * };
 * const [v] = await unit.embed(["anything"]);
 * if (v?.length !== unit.dim) throw new Error("wrong dimension");
 * ```
 */
export interface Embedder {
  /** The length of every vector, for example 512. */
  readonly dim: number;
  /** Names the vector space: model, version and anything else that changes the vectors. */
  readonly id: string;
  /**
   * Embeds a batch of texts.
   *
   * @param texts The texts, in any number; `[]` gives `[]`.
   * @returns One unit-norm vector of length `dim` per text, in input order.
   */
  embed(texts: string[]): Promise<Float32Array[]>;
}

/**
 * Embeds one text with any {@linkcode Embedder}.
 *
 * @param embedder The embedder to call with a batch of one.
 * @param text The text.
 * @returns Its unit-norm vector of length `embedder.dim`.
 * @throws {RangeError} If the embedder returns other than exactly one vector.
 *
 * @example One text
 * ```ts
 * import { embedOne } from "./embedder.ts";
 * const unit = {
 *   dim: 2,
 *   id: "unit-x",
 *   embed: (t: string[]) => Promise.resolve(t.map(() => Float32Array.of(1, 0))),
 * };
 * const v = await embedOne(unit, "hello");
 * if (v[0] !== 1 || v.length !== 2) throw new Error(`unexpected ${v}`);
 * ```
 */
export async function embedOne(embedder: Embedder, text: string): Promise<Float32Array> {
  const out = await embedder.embed([text]);
  if (out.length !== 1 || out[0] === undefined) {
    throw new RangeError(`Cannot embed one text: embedder "${embedder.id}" returned ${out.length} vectors`);
  }
  return out[0];
}
