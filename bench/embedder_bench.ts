/**
 * `deno task bench:embedder [-- --json]`: USE-lite speed on this machine, every runner side by side in
 * one run. One lone sentence (median of 11) on ONNX Runtime (the default, `UseOnnxEmbedder`) with 1 and 2
 * threads, on the TF.js wasm backend and on the TF.js CPU backend; then throughput over 1024 seeded
 * sentences in calls of 64 on ONNX Runtime, on TF.js wasm on the calling thread (`UseEmbedder`) and on a
 * pool of two TF.js workers (`WorkerEmbedder`); and ONNX Runtime in workers (one thread each): a lone sentence
 * through one worker (the round trip `t4dm serve` pays) and throughput on two.
 *
 * @module
 */
import type { Embedder } from "../cortex/embedder.ts";
import { UseEmbedder } from "../cortex/use_embedder.ts";
import { UseOnnxEmbedder } from "../cortex/use_onnx_embedder.ts";
import { WorkerEmbedder } from "../cortex/worker_embedder.ts";
import { mulberry32 } from "../engine/util/rng.ts";

const json = Deno.args.includes("--json");
const rng = mulberry32(7);
const WORDS = ("the a cat dog went to market bought green tea with Ada yesterday about adoption agencies " +
  "painting a lake sunrise camping trip").split(" ");
const texts = Array.from(
  { length: 1024 },
  () =>
    Array.from({ length: 6 + Math.floor(rng() * 20) }, () => WORDS[Math.floor(rng() * WORDS.length)]).join(
      " ",
    ),
);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function lone(e: Embedder & { dispose(): void | Promise<void> }): Promise<number> {
  try {
    await e.embed([texts[0]!]);
    const ms: number[] = [];
    for (let i = 1; i <= 11; i++) {
      const t = performance.now();
      await e.embed([texts[i]!]);
      ms.push(performance.now() - t);
    }
    return median(ms);
  } finally {
    await e.dispose();
  }
}

async function throughput(e: { embed(t: readonly string[]): Promise<Float32Array[]> }): Promise<number> {
  await e.embed(texts.slice(0, 64));
  const t = performance.now();
  for (let i = 0; i < texts.length; i += 64) await e.embed(texts.slice(i, i + 64));
  return texts.length / ((performance.now() - t) / 1000);
}

const ort1LoneMs = await lone(await UseOnnxEmbedder.load({ threads: 1 }));
const ort2LoneMs = await lone(await UseOnnxEmbedder.load({ threads: 2 }));
const cpuLoneMs = await lone(await UseEmbedder.load({ backend: "cpu" }));
const wasmLoneMs = await lone(await UseEmbedder.load({ backend: "wasm" }));
const ort = await UseOnnxEmbedder.load();
const ortThroughput = await throughput(ort);
await ort.dispose();
const use = await UseEmbedder.load();
const inThread = await throughput(use);
use.dispose();
const pool = await WorkerEmbedder.load({ workers: 2, runner: "tfjs" });
const workers2 = await throughput(pool);
pool.dispose();
const ortWorkerLoneMs = await lone(await WorkerEmbedder.load({ workers: 1 }));
const ortPool = await WorkerEmbedder.load({ workers: 2 });
const ortWorkers2 = await throughput(ortPool);
ortPool.dispose();
const r = (x: number) => Math.round(x * 10) / 10;
const out = {
  onnx_1thread_lone_sentence_ms: r(ort1LoneMs),
  onnx_2threads_lone_sentence_ms: r(ort2LoneMs),
  onnx_worker_lone_sentence_ms: r(ortWorkerLoneMs),
  cpu_lone_sentence_ms: r(cpuLoneMs),
  wasm_lone_sentence_ms: r(wasmLoneMs),
  onnx_texts_per_s: Math.round(ortThroughput),
  wasm_texts_per_s: Math.round(inThread),
  workers2_texts_per_s: Math.round(workers2),
  onnx_workers2_texts_per_s: Math.round(ortWorkers2),
  config: { texts: texts.length, batch: 64, cores: navigator.hardwareConcurrency },
};
console.log(
  json ? JSON.stringify(out) : Object.entries(out).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n"),
);
