/**
 * Index benchmark: the vector, lexical and reopen costs of engine/indexes/, side by side in one run.
 *
 * - `knn_100k_512` (cosine) and `knn_1m_128`: build time of an `HnswIndex` fed one `upsert` per row,
 *   recall@10 against `BruteForceIndex` (whose latency is the reference) and p50/p99 latency over an ef
 *   sweep at the default graph parameters, on two seeded data sets: `gaussian_random` (unit N(0, I),
 *   the worst case for a graph index) and `gaussian_clusters_1000` (closer to real embeddings). The top
 *   level of each holds the random set at the default ef; `clustered` holds the other. `collection_put`
 *   is the end-to-end write cost per record through a `Collection` (smaller, from an empty collection).
 * - `bm25_100k`: BM25 latency over 100k text-only records of ~20 Zipf words (20k-word vocabulary).
 * - `reopen`: closing and reopening the 100k×512 clustered collection: sidecar load plus change-log
 *   catch-up, against a rebuild from the records when no sidecar files exist.
 * - `rss_mb`: `Deno.memoryUsage().rss` after each phase (cumulative: one process; the native graphs are
 *   freed only when the garbage collector gets to their wrappers).
 *
 * Usage: `deno task bench:indexes [-- --json] [--quick] [--skip-1m]`. `--quick` runs 10k×512 and
 * 100k×128 with fewer queries. For development: `--phases knn512,reopen,bm25,knn128`, `--kinds
 * random,clustered`, `--n512 N`, `--n128 N`, `--queries N`, `--bm25-docs N`. Progress goes to stderr;
 * `--json` prints one JSON object to stdout, otherwise a markdown report.
 *
 * @module
 */
import { VECTOR_KINDS, VECTOR_SET_NAMES, type VectorKind, vectorSet } from "./_indexes_data.ts";
import { DEFAULT_EF, EF_SWEEP, K, type KnnFigures, measureKnn, RECALL_TARGET } from "./_indexes_knn.ts";
import { renderIndexesMarkdown } from "./_indexes_report.ts";
import { rssMb } from "./_indexes_stats.ts";
import { measureBm25, measureCollectionPut, measureReopen } from "./_indexes_store.ts";
import { TempDirs } from "./_temp_dirs.ts";

const SEED = 0x74346478; // "t4dx"
const PHASES = ["knn512", "reopen", "bm25", "knn128"] as const;
type Phase = typeof PHASES[number];

interface Options {
  json: boolean;
  quick: boolean;
  phases: Set<Phase>;
  kinds: VectorKind[];
  n512: number;
  n128: number;
  queries: number;
  bm25Docs: number;
  bm25Queries: number;
  /** Records put through a fresh collection per kNN size, in calls of `batch`, then `singles` one by one. */
  putRecords: number;
  batch: number;
  singles: number;
  /** Changes logged after the sidecar in the reopen phase. */
  tail: number;
}

function parseArgs(args: string[]): Options {
  const o: Options = {
    json: false,
    quick: false,
    phases: new Set(PHASES),
    kinds: [...VECTOR_KINDS],
    n512: 100_000,
    n128: 1_000_000,
    queries: 300,
    bm25Docs: 100_000,
    bm25Queries: 500,
    putRecords: 5000,
    batch: 100,
    singles: 200,
    tail: 1000,
  };
  const num = (flag: string, v: string | undefined) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x <= 0) {
      throw new RangeError(`Cannot parse ${flag}: "${v}" is not a positive integer`);
    }
    return x;
  };
  const list = <T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T[] => {
    const xs = (v ?? "").split(",").filter((x) => x !== "");
    for (const x of xs) {
      if (!allowed.includes(x as T)) throw new TypeError(`Cannot parse ${flag}: unknown value "${x}"`);
    }
    return xs as T[];
  };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split("=", 2) as [string, string | undefined];
    const value = () => inline ?? args[++i];
    if (flag === "--") continue;
    else if (flag === "--json") o.json = true;
    else if (flag === "--quick") {
      Object.assign(o, { quick: true, n512: 10_000, n128: 100_000, queries: 100, bm25Docs: 10_000 });
      Object.assign(o, { bm25Queries: 200, putRecords: 1000, singles: 100, tail: 200 });
    } else if (flag === "--skip-1m") o.phases.delete("knn128");
    else if (flag === "--phases") o.phases = new Set(list(flag, value(), PHASES));
    else if (flag === "--kinds") o.kinds = list(flag, value(), VECTOR_KINDS);
    else if (flag === "--n512") o.n512 = num(flag, value());
    else if (flag === "--n128") o.n128 = num(flag, value());
    else if (flag === "--queries") o.queries = num(flag, value());
    else if (flag === "--bm25-docs") o.bm25Docs = num(flag, value());
    else throw new TypeError(`Cannot parse arguments: unknown flag "${flag}"`);
  }
  if (o.kinds.length === 0) throw new TypeError(`Cannot parse --kinds: no data set named`);
  return o;
}

const dirs = new TempDirs("t4dx_indexes_bench_");

/** One kNN size: every data set, plus the put-through-Collection figure on the last one. */
async function knnSize(
  key: string,
  n: number,
  dim: number,
  o: Options,
  rss: Record<string, number>,
): Promise<Record<string, unknown>> {
  const byKind: Partial<Record<VectorKind, KnnFigures>> = {};
  const out: Record<string, unknown> = { n, dim, metric: "cosine", k: K, queries: o.queries };
  for (const kind of o.kinds) {
    const set = vectorSet(kind, { n, dim, nq: o.queries, seed: SEED ^ dim });
    const { M, efConstruction, ...f } = measureKnn(set, { warmup: 10 });
    Object.assign(out, { M, efConstruction });
    byKind[kind] = f;
    rss[`after_${key}_${kind}`] = rssMb();
    if (kind === o.kinds.at(-1)) {
      const want = Math.min(o.putRecords, n - o.singles);
      out.collection_put = await dirs.with((dir) =>
        measureCollectionPut(dir, set, { batched: want, batch: o.batch, singles: o.singles })
      );
      rss[`after_${key}_collection_put`] = rssMb();
    }
  }
  const [first, ...rest] = o.kinds;
  const top = byKind[first!]!;
  const nested: Record<string, unknown> = {};
  for (const kind of rest) nested[kind] = byKind[kind];
  return { ...top, ...out, ...nested };
}

function recallNotes(
  key: string,
  figures: Record<string, unknown> | undefined,
  kinds: VectorKind[],
): string[] {
  if (!figures || typeof figures.recall_at_10 !== "number") return [];
  const notes: string[] = [];
  kinds.forEach((kind, i) => {
    const f = (i === 0 ? figures : figures[kind]) as KnnFigures | undefined;
    if (!f || f.recall_at_10 >= RECALL_TARGET) return;
    notes.push(
      `${key} ${f.dataset}: recall@10 ${f.recall_at_10} < ${RECALL_TARGET} at the default ef ${DEFAULT_EF}; ` +
        (f.ef_for_recall_0_95 === null
          ? `not reached up to ef ${f.sweep.at(-1)!.ef}`
          : `ef ${f.ef_for_recall_0_95} reaches ${RECALL_TARGET}`),
    );
  });
  return notes;
}

async function main(): Promise<void> {
  const o = parseArgs(Deno.args);
  dirs.watchSignals();
  const t0 = performance.now();
  const rss: Record<string, number> = { start: rssMb() };
  const report: Record<string, unknown> = {
    benchmark: "indexes",
    quick: o.quick,
    datasets: Object.fromEntries(o.kinds.map((kind) => [kind, VECTOR_SET_NAMES[kind]])),
  };
  const notes: string[] = [];
  try {
    if (o.phases.has("knn512")) {
      report.knn_100k_512 = await knnSize("knn_100k_512", o.n512, 512, o, rss);
    } else report.knn_100k_512 = { skipped: "not in --phases" };
    if (o.phases.has("reopen")) {
      const set = vectorSet("clustered", {
        n: o.n512,
        dim: 512,
        nq: Math.min(o.queries, 100),
        seed: SEED ^ 512,
      });
      report.reopen = await dirs.with((dir) =>
        measureReopen(dir, set, {
          tail: o.tail,
          singles: Math.min(o.singles, o.tail),
          batch: o.batch,
          checkQueries: 100,
        })
      );
      rss.after_reopen = rssMb();
    } else report.reopen = { skipped: "not in --phases" };
    if (o.phases.has("bm25")) {
      report.bm25_100k = await dirs.with((dir) =>
        measureBm25(dir, { docs: o.bm25Docs, queries: o.bm25Queries, warmup: 20, seed: SEED })
      );
      rss.after_bm25 = rssMb();
    } else report.bm25_100k = { skipped: "not in --phases" };
    if (o.phases.has("knn128")) {
      report.knn_1m_128 = await knnSize("knn_1m_128", o.n128, 128, o, rss);
    } else report.knn_1m_128 = { skipped: "--skip-1m or not in --phases" };
  } finally {
    dirs.removeAll();
    dirs.unwatchSignals();
  }
  for (const key of ["knn_100k_512", "knn_1m_128"]) {
    notes.push(...recallNotes(key, report[key] as Record<string, unknown> | undefined, o.kinds));
  }
  notes.push(
    "reopen.rebuild_ms opens the collection with no sidecar files (it was loaded as an exact collection, " +
      "which writes none): the same path as deleting them.",
    "rss_mb is one process's RSS after each phase; earlier phases' native graphs may still be resident.",
  );
  report.rss_mb = rss;
  report.config = {
    k: K,
    default_ef: DEFAULT_EF,
    ef_sweep: EF_SWEEP,
    recall_target: RECALL_TARGET,
    seed: SEED,
    durability: "sync (default)",
    hardware_concurrency: navigator.hardwareConcurrency,
    total_s: Math.round((performance.now() - t0) / 1000),
  };
  report.notes = notes;
  if (o.json) console.log(JSON.stringify(report));
  else console.log(renderIndexesMarkdown(report));
}

if (import.meta.main) await main();
