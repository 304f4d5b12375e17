/**
 * Starts ONNX Runtime sessions for the embedders that run on it, with one set of options and one account
 * of its failures.
 *
 * ONNX Runtime's Node binding keeps one environment per process and destroys it for good when the last
 * Deno runtime that loaded the binding ends. A process with one long-lived runtime (the CLI, the daemon)
 * never sees that; `deno test`, which gives each test module its own runtime, does: after the first
 * module that used ONNX Runtime ends, later sessions fail. {@linkcode OrtGoneError} names that case so
 * callers can fall back to another runner.
 *
 * @module
 */
import type * as Ort from "onnxruntime-node";

/** The runtime, imported on first use (30-60 ms). */
let ortModule: Promise<typeof Ort> | undefined;
/**
 * Set once this runtime learnt that ONNX Runtime was shut down: the binding then answers a first session
 * with an error but may crash the process on the next one (seen under `deno test`), so it is not asked
 * again.
 */
let gone: OrtGoneError | undefined;

/**
 * ONNX Runtime cannot run in this process: it was shut down and cannot start again, or its native
 * binding did not load (a missing shared library, say, as in a single binary whose native files were not
 * unpacked beside each other). Callers with another runner fall back to it.
 */
export class OrtGoneError extends Error {
  override name = "OrtGoneError";
}

/**
 * Imports ONNX Runtime and starts a CPU session.
 *
 * @param model A model file's path (so external data beside it is found) or the model's bytes.
 * @param where The model's name for messages.
 * @param threads Intra-op threads: how many cores one call may use.
 * @param hint Advice appended to a rejection message.
 * @returns The runtime module and the session.
 * @throws {OrtGoneError} If the runtime was shut down in this process (see the module doc) or its native
 * binding does not load.
 * @throws {Error} If the runtime rejects the model.
 */
export async function startSession(
  model: string | Uint8Array,
  where: string,
  threads: number,
  hint: string,
): Promise<{ ort: typeof Ort; session: Ort.InferenceSession }> {
  if (gone) throw new OrtGoneError(gone.message, { cause: gone });
  let ort: typeof Ort;
  try {
    ort = await (ortModule ??= import("onnxruntime-node"));
  } catch (e) {
    ortModule = undefined;
    throw new OrtGoneError(
      `Cannot load model "${where}": ONNX Runtime's native binding did not load: ${
        e instanceof Error ? e.message : String(e)
      }`,
      { cause: e },
    );
  }
  const options: Ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    logSeverityLevel: 3,
    // Idle pool threads sleep instead of spinning: spinning threads steal the cores that the event loop,
    // fsync and indexing need (measured under load on 2 cores: 2.3-3.0 ms for a lone USE lite sentence
    // without spinning, 4.5-5.4 ms with).
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  };
  try {
    const session = typeof model === "string"
      ? await ort.InferenceSession.create(model, options)
      : await ort.InferenceSession.create(model, options);
    return { ort, session };
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    if (text.includes("OrtEnv already destroyed")) {
      throw gone = new OrtGoneError(
        `Cannot load model "${where}": ONNX Runtime was shut down in this process when the last Deno ` +
          `runtime that used it ended (for example an earlier test module); make sessions in one runtime`,
        { cause: e },
      );
    }
    throw new Error(`Cannot load model "${where}": ONNX Runtime rejected it: ${text}; ${hint}`, { cause: e });
  }
}
