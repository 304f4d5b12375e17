/**
 * {@linkcode CachedEmbedder}: an LRU cache and a request batcher in front of any {@linkcode Embedder}.
 *
 * @module
 */
import type { Embedder } from "./embedder.ts";

/** Options for {@linkcode CachedEmbedder}. */
export interface CachedEmbedderOptions {
  /**
   * The most texts sent to the inner embedder in one call. USE lite on wasm spends ~9 ms per sentence in
   * a batch of 32 against ~15 ms alone, and larger batches only delay the first caller.
   *
   * @default {32}
   */
  maxBatchSize?: number;
  /**
   * The most vectors kept, by exact text; the least recently used goes first. Each 512-d vector costs
   * 2 KiB plus its text, so the default holds about 8 MiB of vectors.
   *
   * @default {4096}
   */
  cacheSize?: number;
  /**
   * The most batches sent to the inner embedder and not yet answered. More than 1 suits an embedder that
   * runs elsewhere (a worker): the next batch is already there when it finishes one, instead of waiting
   * for the answer to travel back and this thread to send again. It queues them itself.
   *
   * @default {1}
   */
  maxInFlight?: number;
}

interface Waiter {
  resolve(v: Float32Array): void;
  reject(e: unknown): void;
}

/**
 * Wraps an {@linkcode Embedder} so repeated texts cost nothing and concurrent calls share model calls.
 *
 * Calls to `embed` made in the same tick are gathered, along with any made while `maxInFlight` model
 * calls run, and sent as batches of at most `maxBatchSize` distinct texts. A text already cached or
 * already on its way is not sent again. Each caller gets its own copy of each vector, so mutating one
 * harms nobody.
 *
 * Concurrency: `embed` may be called concurrently from any number of callers. At most `maxInFlight`
 * calls to the inner embedder overlap (by default none). If one inner call fails, only the callers with
 * a text in that batch see the error; nothing from it is cached.
 *
 * INVARIANT: `#cache.size <= cacheSize`; a text is in at most one of `#cache` and `#waiting`.
 *
 * @example Repeated texts hit the cache
 * ```ts
 * import { CachedEmbedder } from "./cached_embedder.ts";
 * let calls = 0;
 * const inner = {
 *   dim: 1,
 *   id: "one",
 *   embed: (t: string[]) => (calls++, Promise.resolve(t.map(() => Float32Array.of(1)))),
 * };
 * const cached = new CachedEmbedder(inner);
 * await Promise.all([cached.embed(["a", "b"]), cached.embed(["b", "c"])]);
 * await cached.embed(["a", "c"]);
 * if (calls !== 1) throw new Error(`inner embedder called ${calls} times`);
 * ```
 */
export class CachedEmbedder implements Embedder {
  /** The inner embedder's `dim`. */
  readonly dim: number;
  /** The inner embedder's `id`: caching changes no vector. */
  readonly id: string;
  #inner: Embedder;
  #maxBatchSize: number;
  #cacheSize: number;
  /** Text to vector, oldest use first (Map keeps insertion order). */
  #cache = new Map<string, Float32Array>();
  /** Texts queued or in a running batch, with who waits for them. */
  #waiting = new Map<string, Waiter[]>();
  /** Texts not yet sent, in arrival order. */
  #queued: string[] = [];
  /** Whether a microtask will send the queued texts (calls of one tick are gathered first). */
  #scheduled = false;
  #inFlight = 0;
  #maxInFlight: number;

  /**
   * Wraps an embedder.
   *
   * @param inner The embedder to call; `dim` and `id` are copied from it.
   * @param options Batch and cache sizes, batches in flight.
   * @throws {RangeError} If `maxBatchSize` or `maxInFlight` < 1 or `cacheSize` < 0, or one is not an
   * integer.
   */
  constructor(inner: Embedder, options: CachedEmbedderOptions = {}) {
    const { maxBatchSize = 32, cacheSize = 4096, maxInFlight = 1 } = options;
    for (const [name, v] of [["maxBatchSize", maxBatchSize], ["maxInFlight", maxInFlight]] as const) {
      if (!Number.isInteger(v) || v < 1) {
        throw new RangeError(`Cannot create CachedEmbedder: ${name} is ${v}, expected an integer >= 1`);
      }
    }
    if (!Number.isInteger(cacheSize) || cacheSize < 0) {
      throw new RangeError(
        `Cannot create CachedEmbedder: cacheSize is ${cacheSize}, expected an integer >= 0`,
      );
    }
    this.#inner = inner;
    this.dim = inner.dim;
    this.id = inner.id;
    this.#maxBatchSize = maxBatchSize;
    this.#cacheSize = cacheSize;
    this.#maxInFlight = maxInFlight;
  }

  /** The number of vectors cached now. */
  get size(): number {
    return this.#cache.size;
  }

  /**
   * Embeds texts, from the cache where possible.
   *
   * @param texts The texts; duplicates are embedded once.
   * @returns One fresh copy of the vector per text, in input order.
   */
  embed(texts: string[]): Promise<Float32Array[]> {
    const out = texts.map((text) => {
      const hit = this.#cache.get(text);
      if (hit !== undefined) {
        this.#cache.delete(text); // move to the most recent end
        this.#cache.set(text, hit);
        return Promise.resolve(hit.slice());
      }
      return new Promise<Float32Array>((resolve, reject) => {
        const waiters = this.#waiting.get(text);
        if (waiters !== undefined) {
          waiters.push({ resolve, reject });
        } else {
          this.#waiting.set(text, [{ resolve, reject }]);
          this.#queued.push(text);
        }
      });
    });
    if (this.#queued.length > 0 && !this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#pump();
      });
    }
    return Promise.all(out);
  }

  /** Sends queued texts in batches while fewer than `maxInFlight` are out; each answer pumps again. */
  #pump(): void {
    while (this.#queued.length > 0 && this.#inFlight < this.#maxInFlight) {
      const batch = this.#queued.splice(0, this.#maxBatchSize);
      this.#inFlight++;
      void this.#send(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  /** Embeds one batch and answers its waiters; never rejects. */
  async #send(batch: string[]): Promise<void> {
    let vecs: Float32Array[] | undefined;
    let error: unknown;
    try {
      vecs = await this.#inner.embed(batch);
      if (vecs.length !== batch.length) {
        throw new RangeError(
          `Cannot embed a batch of ${batch.length} texts: embedder "${this.id}" returned ${vecs.length} vectors`,
        );
      }
    } catch (e) {
      error = e;
      vecs = undefined;
    }
    for (let i = 0; i < batch.length; i++) {
      const text = batch[i]!;
      const waiters = this.#waiting.get(text) ?? [];
      this.#waiting.delete(text);
      const v = vecs?.[i];
      if (v === undefined) {
        for (const w of waiters) w.reject(error);
        continue;
      }
      this.#remember(text, v);
      for (const w of waiters) w.resolve(v.slice());
    }
  }

  #remember(text: string, v: Float32Array): void {
    if (this.#cacheSize === 0) return;
    this.#cache.set(text, v);
    if (this.#cache.size > this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
  }
}
