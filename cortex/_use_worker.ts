/**
 * The Deno Worker script behind {@linkcode WorkerEmbedder}: it owns one USE lite runner (ONNX Runtime
 * through `loadUseLite`, or TF.js on wasm) and answers embed requests in arrival order, one model call at
 * a time.
 *
 * Protocol (the main side imports only the types):
 *
 * | message                                | direction | answer                                  |
 * | -------------------------------------- | --------- | --------------------------------------- |
 * | `{ op: "load", runner, threads?, modelDir? }` | in, first | `ready` (with the runtime), or `loadFailed` |
 * | `{ op: "embed", id, texts }`           | in        | `vectors` or `failed` with the same id  |
 * | `{ op: "vectors", id, data }`          | out       | data: [B * D] float32, transferred      |
 * | `{ op: "failed", id, name, message }`  | out       | the error, by class name                |
 *
 * The main side ends the worker with `terminate()`; nothing needs saving first.
 *
 * @module
 */
import { UseEmbedder } from "./use_embedder.ts";
import { loadUseLite, type UseLite } from "./use_onnx_embedder.ts";

/**
 * What runs the model in a worker: ONNX Runtime (TF.js where it cannot start, see `loadUseLite`), or
 * TF.js on wasm.
 */
export type WorkerRunner = "onnxruntime" | "tfjs";

/** A request from the main thread. */
export type WorkerRequest =
  | { op: "load"; runner: WorkerRunner; threads?: number; modelDir?: string }
  | { op: "embed"; id: number; texts: string[] };

/** A reply to the main thread. */
export type WorkerReply =
  | { op: "ready"; dim: number; modelId: string; runtime: string }
  | { op: "loadFailed"; name: string; message: string }
  | { op: "vectors"; id: number; data: Float32Array }
  | { op: "failed"; id: number; name: string; message: string };

/** The worker's global scope, typed without the `deno.worker` lib (which clashes with the window lib). */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(msg: WorkerReply, transfer?: Transferable[]): void;
};

let use: Promise<UseLite> | undefined;

scope.onmessage = (e) => {
  const req = e.data;
  if (req.op === "load") {
    const dir = req.modelDir === undefined ? {} : { modelDir: req.modelDir };
    use = req.runner === "tfjs"
      ? UseEmbedder.load(dir)
      : loadUseLite({ ...dir, ...(req.threads === undefined ? {} : { threads: req.threads }) });
    use.then(
      (u) => scope.postMessage({ op: "ready", dim: u.dim, modelId: u.id, runtime: u.runtime }),
      (err) => scope.postMessage({ op: "loadFailed", ...describe(err) }),
    );
    return;
  }
  void embed(req.id, req.texts);
};

async function embed(id: number, texts: string[]): Promise<void> {
  try {
    if (use === undefined) throw new Error(`Cannot embed in worker: no "load" message came first`);
    const u = await use;
    const vecs = await u.embed(texts); // both runners queue overlapping calls themselves
    const data = new Float32Array(vecs.length * u.dim); // [B, D]
    vecs.forEach((v, b) => data.set(v, b * u.dim));
    scope.postMessage({ op: "vectors", id, data }, [data.buffer]);
  } catch (err) {
    scope.postMessage({ op: "failed", id, ...describe(err) });
  }
}

function describe(err: unknown): { name: string; message: string } {
  return err instanceof Error
    ? { name: err.name, message: err.message }
    : { name: "Error", message: String(err) };
}
