/**
 * The contract of the engine's vector indexes, and the argument checks every implementation shares.
 *
 * Two implementations exist and run one conformance suite (`vector_index_conformance_test.ts`):
 * `BruteForceIndex` (exact, the reference) and `HnswIndex` (approximate, held to a recall floor). Labels
 * are u32 integers allocated by the collection coordinator, which owns the id ↔ label mapping.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";

/**
 * How similar two vectors are. `"cosine"`: cosine similarity in [-1, 1] (vectors are normalised on the
 * way in, so their length does not matter). `"ip"`: the raw inner product.
 */
export type VectorMetric = "cosine" | "ip";

/** One search result: a label and its similarity score (higher is closer). */
export interface VectorHit {
  /** The label given to {@linkcode VectorIndex.upsert}. */
  label: number;
  /** Cosine similarity for `"cosine"`, inner product for `"ip"`. */
  score: number;
}

/** Options of {@linkcode VectorIndex.search}. */
export interface VectorSearchOptions {
  /**
   * Only labels for which this returns true may be returned. It must be pure and must not throw (HNSW
   * calls it from native code, possibly more than once per label).
   * @default undefined (every live label passes)
   */
  filter?: (label: number) => boolean;
  /**
   * Size of the candidate list of an approximate search, raised to at least `k`. Larger is slower and
   * more accurate. Exact implementations ignore it.
   * @default the index's own setting (64 for `HnswIndex`)
   */
  ef?: number;
}

/**
 * A k-nearest-neighbour index over labelled float32 vectors of one dimension.
 *
 * Concurrency: every method is synchronous; there are no overlapping calls to reason about.
 *
 * INVARIANT: `size` equals the number of labels for which `has` is true, and `search` returns only such
 * labels: a removed label never comes back unless it is upserted again.
 *
 * @example Nearest neighbour by cosine similarity
 * ```ts
 * import type { VectorIndex } from "./vector_index.ts";
 * import { BruteForceIndex } from "./brute_force_index.ts";
 * const index: VectorIndex = new BruteForceIndex({ dim: 2, metric: "cosine" });
 * index.upsert(1, new Float32Array([1, 0]));
 * index.upsert(2, new Float32Array([0, 1]));
 * const [hit] = index.search(new Float32Array([0.1, 0.9]), 1);
 * if (hit?.label !== 2 || index.size !== 2) throw new Error(`unexpected ${JSON.stringify(hit)}`);
 * ```
 */
export interface VectorIndex {
  /** Number of components of every vector. */
  readonly dim: number;
  /** The similarity the scores measure. */
  readonly metric: VectorMetric;
  /** Number of live (upserted and not removed) labels. */
  readonly size: number;
  /**
   * Adds `label` with `vector`, or replaces its vector when the label is already live. The vector is
   * copied.
   *
   * @throws {InvalidArgumentError} When the label is not a u32, the vector's length is not `dim` or a
   * component is not finite (NaN or ±Infinity).
   */
  upsert(label: number, vector: Float32Array): void;
  /** Removes `label`; returns false when it was not live. */
  remove(label: number): boolean;
  /** True when `label` is live. */
  has(label: number): boolean;
  /**
   * The `k` live labels most similar to `query`, sorted by score descending, ties by label ascending.
   * Returns fewer than `k` only when fewer than `k` live labels pass the filter.
   *
   * @throws {InvalidArgumentError} When the query's length is not `dim`, a component is not finite, or
   * `k` is not an integer ≥ 1.
   */
  search(query: Float32Array, k: number, options?: VectorSearchOptions): VectorHit[];
}

/**
 * Checks that `label` is a u32 integer, the label space of the coordinator.
 *
 * @param label The value to check.
 * @throws {InvalidArgumentError} When it is not an integer in [0, 2^32).
 *
 * @example A negative label is refused
 * ```ts
 * import { checkLabel } from "./vector_index.ts";
 * import { isInvalidArgument } from "../errors.ts";
 * checkLabel(4294967295);
 * let caught: unknown;
 * try { checkLabel(-1); } catch (e) { caught = e; }
 * if (!isInvalidArgument(caught)) throw new Error("accepted -1");
 * ```
 */
export function checkLabel(label: number): void {
  if (!Number.isInteger(label) || label < 0 || label > 0xffffffff) {
    throw new InvalidArgumentError(`Cannot use vector label ${JSON.stringify(label)}: must be a u32 integer`);
  }
}

/**
 * Checks a vector's length and that every component is finite.
 *
 * @param vector The vector to check.
 * @param dim The index's dimension.
 * @throws {InvalidArgumentError} Naming both dimensions on a length mismatch, or the first non-finite
 * component's position.
 *
 * @example A 3-component vector for a 4-d index
 * ```ts
 * import { checkVector } from "./vector_index.ts";
 * let message = "";
 * try { checkVector(new Float32Array(3), 4); } catch (e) { message = (e as Error).message; }
 * if (!message.includes("3") || !message.includes("4")) throw new Error(message);
 * ```
 */
export function checkVector(vector: Float32Array, dim: number): void {
  if (!(vector instanceof Float32Array)) {
    throw new InvalidArgumentError(`Cannot use vector: expected a Float32Array`);
  }
  if (vector.length !== dim) {
    throw new InvalidArgumentError(
      `Cannot use vector: it has dimension ${vector.length}, the index has dimension ${dim}`,
    );
  }
  for (let i = 0; i < dim; i++) {
    if (!Number.isFinite(vector[i]!)) {
      throw new InvalidArgumentError(
        `Cannot use vector: component ${i} is ${vector[i]}, not a finite number`,
      );
    }
  }
}

/**
 * Checks the `k` of a search.
 *
 * @param k The number of neighbours asked for.
 * @throws {InvalidArgumentError} When it is not an integer ≥ 1.
 *
 * @example Zero neighbours is an error
 * ```ts
 * import { checkK } from "./vector_index.ts";
 * let thrown = false;
 * try { checkK(0); } catch { thrown = true; }
 * if (!thrown) throw new Error("accepted k = 0");
 * ```
 */
export function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new InvalidArgumentError(`Cannot search: k is ${k}, must be an integer >= 1`);
  }
}

/**
 * The order of search results: score descending, then label ascending.
 *
 * @example Ties go to the lower label
 * ```ts
 * import { compareHits } from "./vector_index.ts";
 * const hits = [{ label: 9, score: 0.5 }, { label: 3, score: 0.5 }, { label: 1, score: 0.1 }];
 * hits.sort(compareHits);
 * if (hits.map((h) => h.label).join() !== "3,9,1") throw new Error("wrong order");
 * ```
 */
export function compareHits(a: VectorHit, b: VectorHit): number {
  return a.score > b.score ? -1 : a.score < b.score ? 1 : a.label - b.label;
}
