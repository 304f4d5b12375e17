/**
 * `deno task bench:embedder [-- --json]`: USE-lite speed on this machine. One lone sentence on the TF.js
 * CPU backend and on the wasm backend (the default), then throughput over 1024 seeded sentences in calls of
 * 64 on the calling thread (`UseEmbedder`) and on a pool of two workers (`WorkerEmbedder`).
 *
 * @module
 */
import { UseEmbedder } from "../cortex/use_embedder.ts";
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

async function lone(backend: "cpu" | "wasm"): Promise<number> {
  const e = await UseEmbedder.load({ backend });
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
    e.dispose();
  }
}

async function throughput(e: { embed(t: readonly string[]): Promise<Float32Array[]> }): Promise<number> {
  await e.embed(texts.slice(0, 64));
  const t = performance.now();
  for (let i = 0; i < texts.length; i += 64) await e.embed(texts.slice(i, i + 64));
  return texts.length / ((performance.now() - t) / 1000);
}

const cpuLoneMs = await lone("cpu");
const wasmLoneMs = await lone("wasm");
const use = await UseEmbedder.load();
const inThread = await throughput(use);
use.dispose();
const pool = await WorkerEmbedder.load({ workers: 2 });
const workers2 = await throughput(pool);
pool.dispose();
const r = (x: number) => Math.round(x * 10) / 10;
const out = {
  cpu_lone_sentence_ms: r(cpuLoneMs),
  wasm_lone_sentence_ms: r(wasmLoneMs),
  wasm_texts_per_s: Math.round(inThread),
  workers2_texts_per_s: Math.round(workers2),
  config: { texts: texts.length, batch: 64, cores: navigator.hardwareConcurrency },
};
console.log(
  json ? JSON.stringify(out) : Object.entries(out).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n"),
);
