/**
 * The exact vector index: every search scores every live vector. It is the reference the conformance
 * suite holds `HnswIndex` to, and the fallback `HnswIndex` uses when its graph search comes back short.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import {
  checkK,
  checkLabel,
  checkVector,
  compareHits,
  type VectorHit,
  type VectorIndex,
  type VectorMetric,
  type VectorSearchOptions,
} from "./vector_index.ts";

/** Options of {@linkcode BruteForceIndex}. */
export interface BruteForceIndexOptions {
  /** Number of components of every vector; an integer ≥ 1. */
  dim: number;
  /** `"cosine"` normalises vectors on the way in; `"ip"` stores them as given. */
  metric: VectorMetric;
  /**
   * Vectors the storage holds before it first grows (it doubles when full).
   * @default 64
   */
  initialCapacity?: number;
}

/**
 * Scales `v` to unit length in place, as hnswlib-node does for its cosine space (a zero vector stays
 * zero, so it scores 0 against everything).
 *
 * @example Unit length
 * ```ts
 * import { normalizeInPlace } from "./brute_force_index.ts";
 * const v = normalizeInPlace(new Float32Array([3, 4]));
 * if (Math.abs(v[0]! - 0.6) > 1e-7 || Math.abs(v[1]! - 0.8) > 1e-7) throw new Error(`got ${v}`);
 * ```
 */
export function normalizeInPlace(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const norm = Math.sqrt(sum);
  if (norm > 0) { for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm; }
  return v;
}

/**
 * Exact k-NN over vectors kept densely in one `Float32Array` (slot `s` at `[s·dim, (s+1)·dim)`). A
 * removal moves the last slot into the hole, so a search reads `size·dim` floats and nothing else.
 * Search is O(size·dim); upsert and remove are O(dim).
 *
 * Concurrency: synchronous; no calls overlap.
 *
 * INVARIANT: slots `[0, size)` are live, `#labels[s]` is the label of slot `s`, and `#slotOf` maps each
 * live label to its slot (checked by {@linkcode BruteForceIndex.checkInvariants}).
 *
 * @example Inner product prefers the longer vector
 * ```ts
 * import { BruteForceIndex } from "./brute_force_index.ts";
 * const index = new BruteForceIndex({ dim: 2, metric: "ip" });
 * index.upsert(1, new Float32Array([1, 0]));
 * index.upsert(2, new Float32Array([3, 1]));
 * const hits = index.search(new Float32Array([1, 0]), 2);
 * if (hits[0]?.label !== 2 || hits[0].score !== 3) throw new Error(JSON.stringify(hits));
 * ```
 */
export class BruteForceIndex implements VectorIndex {
  /** Number of components of every vector. */
  readonly dim: number;
  /** The similarity the scores measure. */
  readonly metric: VectorMetric;
  #data: Float32Array;
  #labels: Uint32Array;
  #slotOf = new Map<number, number>();

  /**
   * Creates an empty index.
   *
   * @param options Dimension, metric and initial capacity.
   * @throws {InvalidArgumentError} When `dim` or `initialCapacity` is not an integer ≥ 1, or the metric
   * is unknown.
   */
  constructor(options: BruteForceIndexOptions) {
    const { dim, metric, initialCapacity = 64 } = options;
    if (!Number.isInteger(dim) || dim < 1) {
      throw new InvalidArgumentError(`Cannot create vector index: dim is ${dim}, must be an integer >= 1`);
    }
    if (metric !== "cosine" && metric !== "ip") {
      throw new InvalidArgumentError(`Cannot create vector index: unknown metric ${JSON.stringify(metric)}`);
    }
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new InvalidArgumentError(
        `Cannot create vector index: initialCapacity is ${initialCapacity}, must be an integer >= 1`,
      );
    }
    this.dim = dim;
    this.metric = metric;
    this.#data = new Float32Array(initialCapacity * dim);
    this.#labels = new Uint32Array(initialCapacity);
  }

  /** Number of live labels. */
  get size(): number {
    return this.#slotOf.size;
  }

  /** Adds or replaces `label`'s vector (copied; normalised for `"cosine"`). */
  upsert(label: number, vector: Float32Array): void {
    checkLabel(label);
    checkVector(vector, this.dim);
    let slot = this.#slotOf.get(label);
    if (slot === undefined) {
      slot = this.#slotOf.size;
      if (slot === this.#labels.length) this.#grow();
      this.#slotOf.set(label, slot);
      this.#labels[slot] = label;
    }
    const dst = this.#data.subarray(slot * this.dim, (slot + 1) * this.dim);
    dst.set(vector);
    if (this.metric === "cosine") normalizeInPlace(dst);
  }

  /** Removes `label`; false when it was not live. */
  remove(label: number): boolean {
    const slot = this.#slotOf.get(label);
    if (slot === undefined) return false;
    const last = this.#slotOf.size - 1;
    if (slot !== last) {
      const moved = this.#labels[last]!;
      this.#data.copyWithin(slot * this.dim, last * this.dim, (last + 1) * this.dim);
      this.#labels[slot] = moved;
      this.#slotOf.set(moved, slot);
    }
    this.#slotOf.delete(label);
    return true;
  }

  /** True when `label` is live. */
  has(label: number): boolean {
    return this.#slotOf.has(label);
  }

  /** A copy of `label`'s stored vector (unit length for `"cosine"`), or undefined when not live. */
  vector(label: number): Float32Array | undefined {
    const slot = this.#slotOf.get(label);
    return slot === undefined ? undefined : this.#data.slice(slot * this.dim, (slot + 1) * this.dim);
  }

  /** The exact top `k`; `options.ef` is ignored. */
  search(query: Float32Array, k: number, options: VectorSearchOptions = {}): VectorHit[] {
    checkVector(query, this.dim);
    checkK(k);
    const q = this.metric === "cosine" ? normalizeInPlace(Float32Array.from(query)) : query;
    const { filter } = options;
    const top = new TopK(Math.min(k, this.size));
    const dim = this.dim, data = this.#data, labels = this.#labels, n = this.#slotOf.size;
    for (let s = 0; s < n; s++) {
      const label = labels[s]!;
      if (filter !== undefined && !filter(label)) continue;
      let score = 0;
      for (let j = 0, o = s * dim; j < dim; j++, o++) score += q[j]! * data[o]!;
      top.offer(label, score);
    }
    return top.sorted();
  }

  /**
   * Verifies the slot bookkeeping.
   *
   * @throws {Error} Describing the first broken invariant.
   */
  checkInvariants(): void {
    const n = this.#slotOf.size;
    if (n > this.#labels.length) {
      throw new Error(`BruteForceIndex: ${n} labels in ${this.#labels.length} slots`);
    }
    for (const [label, slot] of this.#slotOf) {
      if (slot >= n || this.#labels[slot] !== label) {
        throw new Error(`BruteForceIndex: label ${label} maps to slot ${slot} holding ${this.#labels[slot]}`);
      }
    }
  }

  #grow(): void {
    const cap = this.#labels.length * 2;
    const data = new Float32Array(cap * this.dim);
    data.set(this.#data);
    const labels = new Uint32Array(cap);
    labels.set(this.#labels);
    this.#data = data;
    this.#labels = labels;
  }
}

/**
 * Keeps the best `k` of a stream of (label, score) in a binary heap whose root is the worst kept: lowest
 * score, then highest label. So the result is exactly the first `k` in `compareHits` order.
 */
class TopK {
  readonly #k: number;
  readonly #labels: number[] = [];
  readonly #scores: number[] = [];
  constructor(k: number) {
    this.#k = k;
  }
  /** True when (la, sa) ranks below (lb, sb). */
  static #worse(la: number, sa: number, lb: number, sb: number): boolean {
    return sa < sb || (sa === sb && la > lb);
  }
  offer(label: number, score: number): void {
    const L = this.#labels, S = this.#scores;
    if (L.length < this.#k) {
      let i = L.length;
      L.push(label);
      S.push(score);
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!TopK.#worse(L[i]!, S[i]!, L[p]!, S[p]!)) break;
        this.#swap(i, p);
        i = p;
      }
      return;
    }
    if (L.length === 0 || !TopK.#worse(L[0]!, S[0]!, label, score)) return;
    L[0] = label;
    S[0] = score;
    for (let i = 0;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < L.length && TopK.#worse(L[l]!, S[l]!, L[m]!, S[m]!)) m = l;
      if (r < L.length && TopK.#worse(L[r]!, S[r]!, L[m]!, S[m]!)) m = r;
      if (m === i) break;
      this.#swap(i, m);
      i = m;
    }
  }
  #swap(i: number, j: number): void {
    const L = this.#labels, S = this.#scores;
    [L[i], L[j]] = [L[j]!, L[i]!];
    [S[i], S[j]] = [S[j]!, S[i]!];
  }
  sorted(): VectorHit[] {
    const hits = this.#labels.map((label, i) => ({ label, score: this.#scores[i]! }));
    return hits.sort(compareHits);
  }
}
