/**
 * The approximate vector index: a hierarchical navigable small world graph (Malkov & Yashunin 2018,
 * arXiv:1603.09320) held by the native hnswlib through `hnswlib-node`. Persistence lives in
 * `vector_sidecar.ts`; this file only hands it hnswlib's own file through
 * {@linkcode HnswIndex.writeIndexFile} and {@linkcode HnswIndex.readIndexFile}.
 *
 * @module
 */
import hnswlib from "hnswlib-node";
import { CorruptionError, InvalidArgumentError } from "../errors.ts";
import { BruteForceIndex } from "./brute_force_index.ts";
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

type Native = InstanceType<typeof hnswlib.HierarchicalNSW>;

/** Options of {@linkcode HnswIndex}. */
export interface HnswIndexOptions {
  /** Number of components of every vector; an integer ≥ 1. */
  dim: number;
  /** `"cosine"` (hnswlib normalises vectors and queries) or `"ip"` (raw inner product). */
  metric: VectorMetric;
  /**
   * Graph out-degree per node on the upper layers (2·M on the bottom layer); an integer in [2, 1024].
   * @default 16
   */
  M?: number;
  /**
   * Candidate list size while inserting; larger builds a better graph more slowly.
   * @default 200
   */
  efConstruction?: number;
  /**
   * Candidate list size while searching, raised to at least `k` per search.
   * @default 64
   */
  ef?: number;
  /**
   * Slots allocated up front; the index doubles them when full.
   * @default 1024
   */
  initialCapacity?: number;
  /**
   * Seed of hnswlib's level generator, so a build from the same inserts is the same graph.
   * @default 100
   */
  seed?: number;
}

/** What {@linkcode HnswIndex.writeIndexFile} wrote: the facts the sidecar meta records. */
export interface HnswFileInfo {
  /** Slots in the file: live labels plus deleted ones still in the graph. */
  slots: number;
  /** Live labels in the file. */
  live: number;
  /** Labels in the file marked deleted, ascending. */
  deleted: Uint32Array;
}

function checkPositiveInt(what: string, v: number, max = 0xffffffff): void {
  if (!Number.isInteger(v) || v < 1 || v > max) {
    throw new InvalidArgumentError(`Cannot use HNSW ${what} ${v}: must be an integer in [1, ${max}]`);
  }
}

/**
 * Approximate k-NN over an HNSW graph. Scores are converted back from hnswlib's distances (`1 - cos`
 * for cosine, `1 - ip` for ip), so they rank like {@linkcode BruteForceIndex}'s and agree with them to
 * float32 rounding.
 *
 * Deletion marks the node deleted (it still routes searches but is never returned) and frees its slot
 * for the next new label (hnswlib's `allowReplaceDeleted`), so the graph never holds more slots than the
 * peak live count and needs no rebuild. A filtered search passes the filter into the graph walk; when
 * the walk returns fewer than `min(k, passing labels)` results, the search falls back to an exact scan of
 * the passing labels, so a filter never costs results.
 *
 * Concurrency: synchronous; no calls overlap. The native index is freed by the garbage collector.
 *
 * INVARIANT: the graph's labels are `#live` plus the deleted labels; every label in the graph but not in
 * `#live` is marked deleted; `#tombstones` ⊇ the deleted labels in the graph (it may hold labels whose
 * slot was since reused). Checked by {@linkcode HnswIndex.checkInvariants}.
 *
 * @example Delete, then search
 * ```ts
 * import { HnswIndex } from "./hnsw_index.ts";
 * const index = new HnswIndex({ dim: 3, metric: "cosine", initialCapacity: 2 });
 * index.upsert(10, new Float32Array([1, 0, 0]));
 * index.upsert(11, new Float32Array([0.9, 0.1, 0]));
 * index.upsert(12, new Float32Array([0, 0, 1]));
 * index.remove(10);
 * const hits = index.search(new Float32Array([1, 0, 0]), 2);
 * if (hits[0]?.label !== 11 || hits.some((h) => h.label === 10)) throw new Error(JSON.stringify(hits));
 * ```
 */
export class HnswIndex implements VectorIndex {
  /** Number of components of every vector. */
  readonly dim: number;
  /** The similarity the scores measure. */
  readonly metric: VectorMetric;
  /** Graph out-degree per node. */
  readonly M: number;
  /** Candidate list size while inserting. */
  readonly efConstruction: number;
  readonly #ef: number;
  readonly #native: Native;
  readonly #live = new Set<number>();
  #tombstones = new Set<number>();

  /**
   * Creates an empty index.
   *
   * @param options Dimension, metric and graph parameters.
   * @throws {InvalidArgumentError} When an option is out of range or the metric is unknown.
   */
  constructor(options: HnswIndexOptions) {
    const { dim, metric, M = 16, efConstruction = 200, ef = 64, initialCapacity = 1024, seed = 100 } =
      options;
    if (metric !== "cosine" && metric !== "ip") {
      throw new InvalidArgumentError(`Cannot create HNSW index: unknown metric ${JSON.stringify(metric)}`);
    }
    checkPositiveInt("dim", dim);
    checkPositiveInt("M", M, 1024);
    if (M < 2) throw new InvalidArgumentError(`Cannot use HNSW M ${M}: must be an integer in [2, 1024]`);
    checkPositiveInt("efConstruction", efConstruction);
    checkPositiveInt("ef", ef);
    checkPositiveInt("initialCapacity", initialCapacity);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new InvalidArgumentError(`Cannot use HNSW seed ${seed}: must be a u32 integer`);
    }
    this.dim = dim;
    this.metric = metric;
    this.M = M;
    this.efConstruction = efConstruction;
    this.#ef = ef;
    this.#native = new hnswlib.HierarchicalNSW(metric, dim);
    this.#native.initIndex(initialCapacity, M, efConstruction, seed, true);
  }

  /**
   * Loads a graph written by {@linkcode HnswIndex.writeIndexFile}. Does no checksum: the caller
   * (`loadSidecar`) must have verified the file, since hnswlib trusts every byte it reads.
   *
   * @param path The file to read.
   * @param options The index's options, plus the labels the file holds as deleted.
   * @returns The loaded index.
   * @throws {CorruptionError} When hnswlib refuses the file or its labels disagree with `deleted`.
   *
   * @example Round trip through a temporary file (vector_sidecar.ts adds checksums and fsync)
   * ```ts
   * import { HnswIndex } from "./hnsw_index.ts";
   * const index = new HnswIndex({ dim: 2, metric: "cosine" });
   * index.upsert(1, new Float32Array([1, 0]));
   * index.upsert(2, new Float32Array([0, 1]));
   * index.remove(2);
   * const path = Deno.makeTempFileSync();
   * const { deleted } = index.writeIndexFile(path);
   * const loaded = HnswIndex.readIndexFile(path, { dim: 2, metric: "cosine", deleted });
   * Deno.removeSync(path);
   * if (loaded.size !== 1 || !loaded.has(1) || loaded.has(2)) throw new Error("labels changed");
   * ```
   */
  static readIndexFile(path: string, options: HnswIndexOptions & { deleted: ArrayLike<number> }): HnswIndex {
    const index = new HnswIndex({ ...options, initialCapacity: 1 });
    const native = index.#native;
    try {
      native.readIndexSync(path, true);
    } catch (e) {
      throw new CorruptionError(`Cannot load HNSW graph: ${(e as Error).message}`, { file: path, cause: e });
    }
    const deleted = new Set(Array.from(options.deleted));
    const ids = native.getIdsList();
    if (ids.length !== native.getCurrentCount()) {
      throw new CorruptionError(
        `Cannot load HNSW graph: ${ids.length} labels in ${native.getCurrentCount()} slots`,
        { file: path },
      );
    }
    for (const id of ids) if (!deleted.has(id)) index.#live.add(id);
    if (index.#live.size + deleted.size !== ids.length) {
      throw new CorruptionError(
        `Cannot load HNSW graph: ${deleted.size} deleted labels listed, ${
          ids.length - index.#live.size
        } in file`,
        { file: path },
      );
    }
    for (const label of deleted) {
      if (index.#readable(label)) {
        throw new CorruptionError(`Cannot load HNSW graph: label ${label} is listed deleted but live`, {
          file: path,
        });
      }
    }
    index.#tombstones = deleted;
    return index;
  }

  /** Number of live labels. */
  get size(): number {
    return this.#live.size;
  }

  /** Slots allocated in the graph (grows by doubling). */
  get capacity(): number {
    return this.#native.getMaxElements();
  }

  /** Adds or replaces `label`'s vector; reuses a deleted label's slot when there is one. */
  upsert(label: number, vector: Float32Array): void {
    checkLabel(label);
    checkVector(vector, this.dim);
    const native = this.#native, point = Array.from(vector);
    if (this.#live.has(label)) {
      native.addPoint(point, label, false); // in-place update, neighbours repaired
      return;
    }
    if (this.#tombstones.delete(label) && this.#unmark(label)) {
      native.addPoint(point, label, false);
      this.#live.add(label);
      return;
    }
    const slots = native.getCurrentCount();
    const vacant = slots - this.#live.size;
    if (vacant === 0 && slots >= native.getMaxElements()) native.resizeIndex(native.getMaxElements() * 2);
    native.addPoint(point, label, vacant > 0);
    this.#live.add(label);
  }

  /** Marks `label` deleted; false when it was not live. */
  remove(label: number): boolean {
    if (!this.#live.delete(label)) return false;
    this.#native.markDelete(label);
    this.#tombstones.add(label);
    // Reused slots leave stale tombstones behind. Recount (O(slots)) when they outnumber the real
    // vacancies by an eighth of the slots, so the recount costs O(8) per remove amortised.
    const slots = this.#native.getCurrentCount();
    if (this.#tombstones.size > 2 * (slots - this.#live.size) + Math.max(64, slots >>> 3)) {
      this.#tombstones = new Set(this.#native.getIdsList().filter((id) => !this.#live.has(id)));
    }
    return true;
  }

  /** True when `label` is live. */
  has(label: number): boolean {
    return this.#live.has(label);
  }

  /** The live labels, ascending. */
  labels(): number[] {
    return [...this.#live].sort((a, b) => a - b);
  }

  /** The approximate top `k`, exact when the graph walk comes back short. */
  search(query: Float32Array, k: number, options: VectorSearchOptions = {}): VectorHit[] {
    checkVector(query, this.dim);
    checkK(k);
    const { filter, ef = this.#ef } = options;
    checkPositiveInt("ef", ef);
    if (this.#live.size === 0) return [];
    const want = Math.min(k, this.#live.size);
    this.#native.setEf(Math.max(ef, want));
    let failure: { error: unknown } | undefined;
    // A throw inside native code cannot unwind through hnswlib: catch it here and rethrow after.
    const guarded = filter === undefined ? undefined : (label: number): boolean => {
      if (failure !== undefined) return false;
      try {
        return filter(label) === true;
      } catch (error) {
        failure = { error };
        return false;
      }
    };
    const q = Array.from(query);
    const res = guarded === undefined
      ? this.#native.searchKnn(q, want)
      : this.#native.searchKnn(q, want, guarded);
    if (failure !== undefined) throw failure.error;
    let hits = res.neighbors.map((label, i) => ({ label, score: 1 - res.distances[i]! }));
    if (hits.length < want) {
      const passing = filter === undefined
        ? [...this.#live]
        : [...this.#live].filter((l) => filter(l) === true);
      if (hits.length < Math.min(k, passing.length)) hits = this.#exactSearch(query, k, passing);
    }
    return hits.sort(compareHits);
  }

  /**
   * Writes hnswlib's own file format to `path` (plain write, no fsync: `saveSidecar` makes it durable).
   *
   * @param path The file to write, replaced if it exists.
   * @returns The slot count and the deleted labels, for the sidecar meta.
   *
   * @example Write to a temporary file
   * ```ts
   * import { HnswIndex } from "./hnsw_index.ts";
   * const index = new HnswIndex({ dim: 2, metric: "ip" });
   * index.upsert(1, new Float32Array([1, 2]));
   * const path = Deno.makeTempFileSync();
   * const info = index.writeIndexFile(path);
   * Deno.removeSync(path);
   * if (info.slots !== 1 || info.deleted.length !== 0) throw new Error(JSON.stringify(info));
   * ```
   */
  writeIndexFile(path: string): HnswFileInfo {
    this.#native.writeIndexSync(path);
    const deleted = Uint32Array.from(this.#native.getIdsList().filter((id) => !this.#live.has(id)));
    return { slots: this.#native.getCurrentCount(), live: this.#live.size, deleted: deleted.sort() };
  }

  /**
   * Verifies that the graph and the live set agree (O(n·dim): tests only).
   *
   * @throws {Error} Describing the first broken invariant.
   */
  checkInvariants(): void {
    const native = this.#native;
    const ids = native.getIdsList();
    const state = () =>
      `live ${this.#live.size}, slots ${native.getCurrentCount()}, ids ${ids.length}, ` +
      `capacity ${native.getMaxElements()}, tombstones ${this.#tombstones.size}`;
    if (ids.length !== native.getCurrentCount()) {
      throw new Error(`HnswIndex: slot count mismatch (${state()})`);
    }
    const inGraph = new Set(ids);
    for (const label of this.#live) {
      if (!inGraph.has(label)) throw new Error(`HnswIndex: live label ${label} not in graph (${state()})`);
      if (this.#tombstones.has(label)) {
        throw new Error(`HnswIndex: live label ${label} is a tombstone (${state()})`);
      }
    }
    for (const id of ids) {
      if (this.#live.has(id)) continue;
      if (!this.#tombstones.has(id)) {
        throw new Error(`HnswIndex: deleted ${id} is not a tombstone (${state()})`);
      }
      if (this.#readable(id)) {
        throw new Error(`HnswIndex: label ${id} is in the graph, live but unknown (${state()})`);
      }
    }
  }

  /** Returns true when `label` was still in the graph (marked deleted) and is now unmarked. */
  #unmark(label: number): boolean {
    try {
      this.#native.unmarkDelete(label);
      return true;
    } catch {
      return false; // its slot went to another label: hnswlib reports "Label not found"
    }
  }

  /** True when hnswlib reads `label`'s vector, which it refuses for a deleted or absent label. */
  #readable(label: number): boolean {
    try {
      this.#native.getPoint(label);
      return true;
    } catch {
      return false;
    }
  }

  #exactSearch(query: Float32Array, k: number, labels: number[]): VectorHit[] {
    const exact = new BruteForceIndex({
      dim: this.dim,
      metric: this.metric,
      initialCapacity: labels.length || 1,
    });
    for (const label of labels) exact.upsert(label, Float32Array.from(this.#native.getPoint(label)));
    return exact.search(query, k);
  }
}
