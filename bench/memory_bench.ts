/**
 * `deno task bench:memory -- [--memories N] [--embed-workers N] [--json]`: the memory library end to end at 10k and 100k
 * memories, on real files with the real embedder (USE-lite). Measures durable store latency (one
 * memory at a time, embedding included), bulk import throughput, recall latency with and without the
 * query embedding, and RSS.
 *
 * Recall is measured after 50 unmeasured warm-up recalls (reported apart, as `cold_recall_*`: the first
 * queries after an import read postings lists and records from the store into the caches), then over 200
 * fresh questions with their embedding and 200 other fresh questions whose vectors were computed
 * beforehand, so that neither pass reuses the other's cache entries.
 *
 * Memories are synthetic but sentence-shaped: a speaker, a verb phrase and objects drawn from fixed
 * word lists with a seeded generator, so runs are repeatable.
 *
 * @module
 */
import { mulberry32 } from "../engine/util/rng.ts";
import { T4DM } from "../src/memory/t4dm.ts";
import type { RecallTimings } from "../src/memory/hybrid_recall.ts";

const args = Deno.args;
const json = args.includes("--json");
const mi = args.indexOf("--memories");
const wi = args.indexOf("--embed-workers");
const embedWorkers = wi >= 0 ? Number(args[wi + 1]) : 0; // T4DMOptions.embedWorkers; 0 = the library default
const sizes = mi >= 0 ? [Number(args[mi + 1])] : [10_000, 100_000];
const log = (s: string) => console.error(s);

const NAMES = ["Ada", "Bob", "Carol", "Dan", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy"];
const VERBS = [
  "visited",
  "talked about",
  "bought",
  "fixed",
  "planned",
  "read about",
  "cooked",
  "painted",
  "lost",
  "found",
];
const THINGS = ("garden bicycle novel violin kitchen laptop mountain museum recipe concert passport puppy " +
  "telescope library marathon festival camera sailboat guitar journal")
  .split(" ");
const PLACES = [
  "in Lisbon",
  "at home",
  "near the river",
  "with her sister",
  "after work",
  "on the weekend",
  "downtown",
];

function sentence(rng: () => number, i: number): { content: string; actor: string; eventTime: number } {
  const pick = <T>(a: T[]) => a[Math.floor(rng() * a.length)]!;
  const actor = pick(NAMES);
  return {
    actor,
    content: `${actor} ${pick(VERBS)} the ${pick(THINGS)} and the ${pick(THINGS)} ${
      pick(PLACES)
    } (note ${i})`,
    eventTime: Date.UTC(2023, 0, 1) + i * 60_000,
  };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
/** What embedded, read from the store's stats. */
let embedder = "";

async function run(n: number): Promise<Record<string, number>> {
  const path = Deno.makeTempDirSync({ prefix: "t4dm-bench-" });
  const rng = mulberry32(n);
  const mem = await T4DM.open({ path, embedWorkers });
  try {
    const stats = await mem.stats();
    embedder = `${stats.embedder} on ${stats.embedderRuntime}`;
    // Bulk import of n - 200 memories, in batches (the import path: storeMany, one write per batch).
    const bulk = n - 200;
    const t0 = performance.now();
    for (let i = 0; i < bulk; i += 256) {
      const batch = [];
      for (let j = i; j < Math.min(bulk, i + 256); j++) batch.push(sentence(rng, j));
      await mem.storeMany(batch);
      if ((i / 256) % 40 === 0) log(`  ${n}: imported ${i}/${bulk}`);
    }
    const importS = (performance.now() - t0) / 1000;
    // Durable single stores, embedding included (fresh texts, so the embedding cache does not help).
    const storeMs: number[] = [];
    for (let j = bulk; j < n; j++) {
      const s = sentence(rng, j);
      const t = performance.now();
      await mem.store(s);
      storeMs.push(performance.now() - t);
    }
    // Warm-up (cold caches), then recall with the query embedding, then with a precomputed query vector:
    // three sets of distinct questions.
    const question = (q: number) => {
      const s = sentence(rng, 10_000_000 + q);
      return `what did ${s.actor} do with the ${s.content.split(" the ")[1]?.split(" ")[0]} (${q})?`;
    };
    const stages: RecallTimings[] = [];
    const timed = async (qs: string[], vecs?: Float32Array[]) => {
      const ms: number[] = [];
      for (let q = 0; q < qs.length; q++) {
        const timings = {} as RecallTimings;
        const t = performance.now();
        await mem.recall({ query: qs[q]!, k: 10 }, vecs ? { queryVector: vecs[q]!, timings } : {});
        ms.push(performance.now() - t);
        if (vecs) stages.push(timings);
      }
      return ms;
    };
    const coldMs = await timed(Array.from({ length: 50 }, (_, q) => question(q)));
    const recallMs = await timed(Array.from({ length: 200 }, (_, q) => question(1000 + q)));
    const others = Array.from({ length: 200 }, (_, q) => question(2000 + q));
    const noEmbedMs = await timed(others, await mem.embedder.embed(others));
    return {
      store_p50_ms: round(pct(storeMs, 0.5)),
      store_p99_ms: round(pct(storeMs, 0.99)),
      import_per_s: Math.round(bulk / importS),
      cold_recall_p50_ms: round(pct(coldMs, 0.5)),
      cold_recall_max_ms: round(Math.max(...coldMs)),
      recall_p50_ms: round(pct(recallMs, 0.5)),
      recall_p99_ms: round(pct(recallMs, 0.99)),
      recall_noembed_p50_ms: round(pct(noEmbedMs, 0.5)),
      recall_noembed_p99_ms: round(pct(noEmbedMs, 0.99)),
      // Stages of the recalls without embedding, p50 each (src/memory/hybrid_recall.ts).
      ...Object.fromEntries(
        (["vector", "lexical", "pool", "rank", "poolSize"] as const).map((k) => [
          k === "poolSize" ? "noembed_pool_size_p50" : `noembed_${k}_p50_ms`,
          round(pct(stages.map((s) => s[k]), 0.5)),
        ]),
      ),
      rss_mb: Math.round(Deno.memoryUsage().rss / 2 ** 20),
    };
  } finally {
    await mem.close();
    Deno.removeSync(path, { recursive: true });
  }
}

const out: Record<string, Record<string, number>> = {};
for (const n of sizes) {
  log(`memories: ${n}`);
  out[String(n)] = await run(n);
  log(`  ${JSON.stringify(out[String(n)])}`);
}
if (json) {
  console.log(
    JSON.stringify({
      embedder,
      cores: navigator.hardwareConcurrency,
      sizes: out,
    }),
  );
} else {
  const cols = [
    "store_p50_ms",
    "store_p99_ms",
    "import_per_s",
    "recall_p50_ms",
    "recall_p99_ms",
    "recall_noembed_p50_ms",
    "recall_noembed_p99_ms",
    "rss_mb",
  ];
  console.log(`| memories | ${cols.join(" | ")} |\n|---|${cols.map(() => "---").join("|")}|`);
  for (const [n, r] of Object.entries(out)) console.log(`| ${n} | ${cols.map((c) => r[c]).join(" | ")} |`);
}
