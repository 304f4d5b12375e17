// Runs the real model in Deno Workers, from the files in node_modules/ (no network): each worker loads in
// ~0.5-1.5 s on a loaded 2-core machine.
import { WorkerEmbedder } from "./worker_embedder.ts";
import { UseEmbedder } from "./use_embedder.ts";

/** Texts of 0 to ~200 tokens, so that a batch mixes lengths (and the 128-token cut). */
const TEXTS = [
  "",
  "Hi",
  "The cat sat on the mat",
  "A cat was sitting on a rug",
  "Stock markets fell sharply today",
  "Note: meeting at 10:30 tomorrow, see https://example.com/x?y=1 :)",
  "Café naïve résumé Straße",
  "Alice moved the project review to Friday because the budget report was late again.",
  Array(40).fill("we walked the dog along the river before breakfast").join(" "),
  ...Array.from(
    { length: 31 },
    (_, i) => `Memory ${i}: ${"remember to water the tomatoes ".repeat(1 + i % 7)}`,
  ),
];

function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** The largest difference per text, as one string naming the worst texts. */
function compare(got: Float32Array[], want: Float32Array[]): { worst: number; report: string } {
  const diffs = want.map((w, i) => got[i] === undefined ? Infinity : maxDiff(got[i]!, w));
  const worst = Math.max(...diffs, got.length === want.length ? 0 : Infinity);
  const report = `${got.length} vectors for ${want.length} texts; max differences ${
    diffs.map((d, i) => `${i}:${d.toExponential(1)}`).join(" ")
  }`;
  return { worst, report };
}

Deno.test("WorkerEmbedder matches UseEmbedder, keeps order, propagates errors and shuts down", async (t) => {
  const use = await UseEmbedder.load();
  const pool = await WorkerEmbedder.load({ workers: 2, minTextsPerWorker: 4, runner: "tfjs" });
  try {
    const alone: Float32Array[] = [];
    for (const text of TEXTS) alone.push((await use.embed([text]))[0]!);

    await t.step("UseEmbedder gives a mixed-length batch the one-by-one vectors within 1e-5", async () => {
      const { worst, report } = compare(await use.embed(TEXTS), alone);
      if (!(worst < 1e-5)) throw new Error(report);
    });

    await t.step("a batch split across workers gives the in-process vectors in input order", async () => {
      if (
        pool.workers !== 2 || pool.dim !== use.dim || pool.id !== use.id ||
        pool.runtime !== "tfjs wasm on 2 workers"
      ) {
        throw new Error(`workers ${pool.workers}, dim ${pool.dim}, id ${pool.id}, runtime ${pool.runtime}`);
      }
      const { worst, report } = compare(await pool.embed(TEXTS), alone);
      if (!(worst < 1e-5)) throw new Error(report);
    });

    await t.step("concurrent calls each get their own texts' vectors", async () => {
      const calls = [TEXTS.slice(0, 3), TEXTS.slice(3, 20), [TEXTS[9]!], TEXTS.slice(20), []];
      const results = await Promise.all(calls.map((texts) => pool.embed(texts)));
      const got = results.flat(), want = calls.flat().map((text) => alone[TEXTS.indexOf(text)]!);
      const { worst, report } = compare(got, want);
      if (!(worst < 1e-5)) throw new Error(`calls of ${calls.map((c) => c.length)}: ${report}`);
    });

    await t.step("each vector owns its buffer", async () => {
      const vecs = await pool.embed(TEXTS.slice(0, 8));
      const shared = vecs.filter((v) => v.byteLength !== v.buffer.byteLength).length;
      if (shared !== 0) throw new Error(`${shared} of ${vecs.length} vectors are views of a larger buffer`);
    });

    await t.step(
      "an error in a worker rejects that call with its class, and the pool keeps working",
      async () => {
        const bad = [TEXTS[2]!, 42 as unknown as string]; // the tokenizer cannot normalize a number
        const err = await pool.embed(bad).then(() => undefined, (e: unknown) => e);
        if (!(err instanceof TypeError)) throw new Error(`expected a TypeError, got ${err}`);
        const [again] = await pool.embed([TEXTS[2]!]);
        const d = maxDiff(again!, alone[2]!);
        if (!(d < 1e-5)) throw new Error(`after the error: max difference ${d}`);
      },
    );

    await t.step("dispose() rejects calls in flight and later calls", async () => {
      const inFlight = pool.embed(TEXTS);
      pool.dispose();
      pool.dispose(); // idempotent
      const results = await Promise.allSettled([inFlight, pool.embed(["after"])]);
      const messages = results.map((r) =>
        r.status === "rejected" ? (r.reason as Error).message : "fulfilled"
      );
      if (!messages.every((m) => m === "Cannot embed: the WorkerEmbedder is disposed")) {
        throw new Error(`results ${JSON.stringify(messages)}`);
      }
    });
  } finally {
    pool.dispose();
    use.dispose();
  }
});

Deno.test("WorkerEmbedder.load() rethrows the load error from inside a worker", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const err = await WorkerEmbedder.load({ workers: 2, modelDir: dir }).then(() => undefined, (e) => e);
    const want = `Cannot load model "${dir}/model.json": cannot read "model.json"; reinstall it with`;
    if (!(err instanceof Error) || !err.message.startsWith(want)) throw new Error(`got ${err}`);
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("WorkerEmbedder.load() rejects a worker count below 1", async () => {
  const err = await WorkerEmbedder.load({ workers: 0 }).then(() => undefined, (e) => e);
  const want = "Cannot load WorkerEmbedder: workers is 0, expected an integer >= 1";
  if (!(err instanceof RangeError) || err.message !== want) throw new Error(`got ${err}`);
});
