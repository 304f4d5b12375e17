/**
 * LoCoMo recall benchmark (see `shared/bench/locomo/README.md` for the data and the metric): for each
 * conversation a fresh retriever gets every turn as a memory, then each question with evidence is a
 * query whose "now" is an hour after the last session; the ranked turn ids are scored by recall@k, MRR
 * and NDCG@10, per category and overall.
 *
 * The retrieval runs behind the small {@linkcode Retriever} interface. The figures reported as `overall`
 * and `by_category` are the product's: {@linkcode T4DMRetriever} stores every turn in a fresh T4DM store
 * on real files (one per conversation) and asks `T4DM.recall`. The research pipeline the library
 * implements, {@linkcode ReferenceRetriever}, holds exact in-memory indexes (BM25 with the engine's
 * formula, brute-force cosine over USE-lite vectors) and ranks their top candidates with the pure modules
 * of `src/recall/`; `--retriever reference` reports it instead. The BM25-only and dense-only baselines
 * are always that reference retriever with one index and no re-ranking, computed in the same run.
 *
 * Usage: `deno task bench:locomo [-- --data FILE] [--json] [--retriever t4dm|reference] [--ablation]
 * [--candidates N] [--cache FILE] [--conversations N] [--weight NAME=VALUE]...`. `--weight` overrides one
 * of the product's `RankWeights` (e.g. `--weight time2vec=0.1`; repeatable). `--json` prints one JSON object; `--ablation`
 * prints the markdown table of `bench/LOCOMO_NOTES.md` (reference retriever) instead. Progress goes to
 * stderr. Vectors are cached in `--cache` (default `/tmp/t4dm-locomo-<embedder id>.bin`), for the product
 * as for the reference, so only the first run embeds (~3 min).
 *
 * This is a coordinator, and longer than a leaf file for that reason: argument parsing, the embedding
 * cache, the reference retriever and the reports are each too small to stand alone.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { Embedder } from "../cortex/embedder.ts";
import { UseEmbedder } from "../cortex/use_embedder.ts";
import { bm25Idf, bm25Scorer } from "../engine/indexes/bm25.ts";
import { tokenize } from "../engine/indexes/tokenizer.ts";
import { denseQueryText } from "../src/recall/dense_query.ts";
import { type HybridRankOptions, type MemoryFacts, rankHybrid } from "../src/recall/hybrid_ranker.ts";
import { queryTerms } from "../src/recall/query_terms.ts";
import { stemTerms } from "../src/recall/stem_terms.ts";
import { findTimeCues } from "../src/recall/temporal_cues.ts";
import type { RecallTimings } from "../src/memory/hybrid_recall.ts";
import { DEFAULT_WEIGHTS, type RankWeights } from "../src/memory/rank.ts";
import { T4DM } from "../src/memory/t4dm.ts";
import { loadLocomo, type LocomoConversation, type LocomoMemory } from "./_locomo_data.ts";
import { meanScores, type RankedId, scoreQuestion, type Scores } from "./_locomo_metrics.ts";

/** What the benchmark needs from a memory system: a fresh instance per conversation. */
export interface Retriever {
  /** Stores memories, in conversation order. */
  add(memories: readonly LocomoMemory[]): Promise<void>;
  /** The best `k` memories for a query asked at time `now` (ms since the Unix epoch), best first. */
  search(query: string, k: number, now: number): Promise<RankedId[]>;
  /** Releases what the retriever holds (files, handles). */
  close?(): Promise<void>;
}

/** Per-query figures of the product retriever: recall latency (query embedding from the cache) and stages. */
const productMs: { recall: number; timings: RecallTimings }[] = [];

/**
 * The product: a T4DM store on real files in a fresh temporary directory. Every turn is one episodic
 * memory (actor = speaker, session = the session number, event time = the session's date, content = the
 * turn's text with `" [shares <caption>]"`, `metadata.dia_id` = the turn id), stored session by session
 * with `storeMany`; a query is `recall({ query, k: 50, now })`, and results map back to turn ids through
 * `metadata.dia_id` (or, for a consolidated memory, through the turns of its provenance).
 *
 * Concurrency: `add` must finish before `search`; `close` after the last search.
 */
export class T4DMRetriever implements Retriever {
  readonly #embedder: Embedder;
  #dir: string | undefined;
  #mem: T4DM | undefined;
  readonly #weights: Partial<RankWeights>;
  readonly #turnOf = new Map<string, string>(); // memory id → dia_id

  /** `weights` override the store's default ranking weights (`--weight name=value`). */
  constructor(embedder: Embedder, weights: Partial<RankWeights> = {}) {
    this.#embedder = embedder;
    this.#weights = weights;
  }

  async add(memories: readonly LocomoMemory[]): Promise<void> {
    this.#dir = Deno.makeTempDirSync({ prefix: "t4dm-locomo-" });
    this.#mem = await T4DM.open({ path: this.#dir, embedder: this.#embedder, weights: this.#weights });
    const sessions = new Map<string, LocomoMemory[]>();
    for (const m of memories) sessions.set(m.thread, [...(sessions.get(m.thread) ?? []), m]);
    for (const [thread, turns] of sessions) {
      const stored = await this.#mem.storeMany(turns.map((m) => ({
        content: m.text,
        actor: m.actor,
        session: thread.replace(/^session_/, ""),
        eventTime: m.eventTime,
        kind: "episodic" as const,
        metadata: { dia_id: m.id },
      })));
      stored.forEach((s, i) => this.#turnOf.set(s.id, turns[i]!.id));
    }
  }

  async search(query: string, _k: number, now: number): Promise<RankedId[]> {
    const timings = {} as RecallTimings;
    const t0 = performance.now();
    const results = await this.#mem!.recall({ query, k: 50, now }, { timings });
    productMs.push({ recall: performance.now() - t0, timings });
    return results.map((r) => {
      const dia = r.memory.metadata.dia_id;
      if (typeof dia === "string") return { id: dia, score: r.score };
      const provenance = r.memory.provenance.map((id) => this.#turnOf.get(id)).filter((x) => x !== undefined);
      return { id: r.memory.id, provenance, score: r.score };
    });
  }

  async close(): Promise<void> {
    await this.#mem?.close();
    if (this.#dir) Deno.removeSync(this.#dir, { recursive: true });
  }
}

/** The switches of {@linkcode ReferenceRetriever}; each mechanism can be turned off for an ablation. */
export interface RetrieverConfig {
  /** Use the BM25 index. */
  lexical: boolean;
  /** Use the vector index. */
  dense: boolean;
  /** Index "actor: text" rather than the text alone (both indexes). */
  actorPrefix: boolean;
  /** Drop `QUERY_STOP_WORDS` from the BM25 query. */
  queryStopWords: boolean;
  /** Porter-stem index and query terms. */
  stem: boolean;
  /** Embed `denseQueryText(question)` instead of the question. */
  denseQuery: boolean;
  /** Pass the known actors to `denseQueryText`, which then removes their names. */
  denseQueryActors: boolean;
  /** Each memory's vector is the mean of the vectors of its text and of its text after the previous turn. */
  contextVector: boolean;
  /** Find date cues in the query (their words leave the dense query; they feed the time boost). */
  timeCues: boolean;
  /** Candidates taken from each index. */
  candidates: number;
  /**
   * Score completion: give every memory in the union of the candidates and their thread neighbours its
   * exact score in both indexes (a cosine against its stored vector, BM25 of its stored terms), so that
   * no memory scores 0 in one index just for falling below the other's cut.
   */
  complete: boolean;
  /** Ranking weights, passed to `rankHybrid` (its defaults apply to what is not set). */
  rank: Omit<HybridRankOptions, "facts" | "cues">;
}

/** The full pipeline's configuration. */
export const FULL: RetrieverConfig = {
  lexical: true,
  dense: true,
  actorPrefix: true,
  queryStopWords: true,
  stem: true,
  denseQuery: false,
  denseQueryActors: true,
  contextVector: true,
  timeCues: true,
  candidates: 100,
  complete: true,
  rank: {},
};

const NO_RERANK = { contextWeight: 0, threadWeight: 0, timeWeight: 0 };

/** Both indexes with query stop words and nothing else: where the ablation's steps start. */
const BASE: RetrieverConfig = {
  ...FULL,
  stem: false,
  contextVector: false,
  timeCues: false,
  complete: false,
};

/** BM25 alone: "actor: text", the engine's tokenizer, query stop words, no stemming (the README's set-up). */
export const BM25_ONLY: RetrieverConfig = {
  ...FULL,
  dense: false,
  stem: false,
  denseQuery: false,
  contextVector: false,
  timeCues: false,
  rank: NO_RERANK,
};

/** Cosine over USE-lite vectors of "actor: text", the question embedded as it is. */
export const DENSE_ONLY: RetrieverConfig = {
  ...FULL,
  lexical: false,
  denseQuery: false,
  contextVector: false,
  timeCues: false,
  rank: NO_RERANK,
};

/**
 * The reference retriever: exact in-memory BM25 and cosine indexes, whose top candidates `rankHybrid`
 * ranks with thread context, thread boost and date cues.
 *
 * Concurrency: `add` must finish before `search`; searches may overlap.
 */
export class ReferenceRetriever implements Retriever {
  #config: RetrieverConfig;
  #embedder: Embedder;
  #ids: string[] = [];
  #index = new Map<string, number>(); // id → position
  #facts = new Map<string, MemoryFacts>();
  #actors = new Set<string>();
  #docs: Map<string, number>[] = []; // [N] term → tf
  #lens: number[] = []; // [N]
  #df = new Map<string, number>();
  #vectors: Float32Array[] = []; // [N][D]

  constructor(embedder: Embedder, config: RetrieverConfig) {
    this.#embedder = embedder;
    this.#config = config;
  }

  #terms(text: string): string[] {
    const t = tokenize(text);
    return this.#config.stem ? stemTerms(t) : t;
  }

  async add(memories: readonly LocomoMemory[]): Promise<void> {
    const c = this.#config;
    const texts = memories.map((m) => (c.actorPrefix ? `${m.actor}: ${m.text}` : m.text));
    let prev: LocomoMemory | undefined;
    const contexts: string[] = [];
    memories.forEach((m, i) => {
      const p = prev?.thread === m.thread ? prev : undefined;
      this.#index.set(m.id, this.#ids.length);
      this.#ids.push(m.id);
      this.#actors.add(m.actor);
      this.#facts.set(m.id, { thread: m.thread, eventTime: m.eventTime, prev: p?.id });
      if (p) this.#facts.get(p.id)!.next = m.id;
      contexts.push(p ? `${texts[i - 1]}\n${texts[i]}` : texts[i]!);
      prev = m;
      if (c.lexical) {
        const tf = new Map<string, number>();
        const terms = this.#terms(texts[i]!);
        for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
        for (const t of tf.keys()) this.#df.set(t, (this.#df.get(t) ?? 0) + 1);
        this.#docs.push(tf);
        this.#lens.push(terms.length);
      }
    });
    if (!c.dense) return;
    const own = await this.#embedder.embed(texts);
    if (!c.contextVector) {
      this.#vectors.push(...own);
      return;
    }
    const ctx = await this.#embedder.embed(contexts);
    own.forEach((v, i) => this.#vectors.push(v.map((x, j) => (x + ctx[i]![j]!) / 2)));
  }

  async search(query: string, k: number, now: number): Promise<RankedId[]> {
    const c = this.#config;
    const tc = performance.now();
    const cues = c.timeCues ? findTimeCues(query, now) : [];
    const cueMs = performance.now() - tc;
    const lexAll = c.lexical ? this.#bm25(query) : [];
    let denseAll: number[] = [];
    if (c.dense) {
      const text = c.denseQuery
        ? denseQueryText(query, { actors: c.denseQueryActors ? [...this.#actors] : [], cues })
        : query;
      const [q] = await this.#embedder.embed([text]);
      denseAll = this.#vectors.map((v) => dot(q!, v));
    }
    let lexical = topN(lexAll, this.#ids, c.candidates);
    for (const [id, s] of lexical) if (s <= 0) lexical.delete(id); // a memory sharing no term is no candidate
    let dense = topN(denseAll, this.#ids, c.candidates);
    if (c.complete && c.lexical && c.dense) {
      // The exact scores are at hand here; an index would compute them for these ids only.
      const ids = new Set([...lexical.keys(), ...dense.keys()]);
      for (const id of [...ids]) {
        const f = this.#facts.get(id);
        if (f?.prev !== undefined) ids.add(f.prev);
        if (f?.next !== undefined) ids.add(f.next);
      }
      const at = (id: string) => this.#index.get(id)!;
      lexical = new Map([...ids].map((id) => [id, lexAll[at(id)]!]));
      dense = new Map([...ids].map((id) => [id, denseAll[at(id)]!]));
    }
    const t0 = performance.now();
    const ranked = rankHybrid({ lexical, dense }, { ...c.rank, cues, facts: (id) => this.#facts.get(id) });
    rankingMs.push(performance.now() - t0 + cueMs);
    return ranked.slice(0, k).map((r) => ({ id: r.id, score: r.score }));
  }

  /** BM25 of every memory, in insertion order. */
  #bm25(query: string): number[] {
    let terms = tokenize(query);
    if (this.#config.queryStopWords) terms = queryTerms(terms);
    if (this.#config.stem) terms = stemTerms(terms);
    const n = this.#docs.length;
    const avgDocLen = this.#lens.reduce((a, b) => a + b, 0) / Math.max(1, n) || 1;
    const scores = new Array<number>(n).fill(0);
    for (const t of new Set(terms)) {
      const df = this.#df.get(t);
      if (df === undefined) continue;
      const score = bm25Scorer(bm25Idf(n, df), { avgDocLen });
      this.#docs.forEach((tf, i) => {
        const f = tf.get(t);
        if (f !== undefined) scores[i]! += score(f, this.#lens[i]!);
      });
    }
    return scores;
  }
}

/** Time spent per query in `findTimeCues` and `rankHybrid` (not in the indexes or the embedder). */
const rankingMs: number[] = [];

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** The `n` best scores as id → score, ties broken by position. */
function topN(scores: readonly number[], ids: readonly string[], n: number): Map<string, number> {
  const order = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, n);
  return new Map(order.map((i) => [ids[i]!, scores[i]!]));
}

/**
 * An {@linkcode Embedder} whose vectors persist in a file between runs, loading the real model only on
 * a miss. File layout, repeated: u32 LE text byte length, the UTF-8 text, D float32 LE values.
 * A torn last record (an interrupted run) is ignored. One process at a time.
 */
export class FileCachedEmbedder implements Embedder {
  readonly dim: number;
  readonly id: string;
  #path: string;
  #load: () => Promise<Embedder>;
  #inner: Promise<Embedder> | undefined;
  #cache = new Map<string, Float32Array>();

  constructor(path: string, meta: { dim: number; id: string }, load: () => Promise<Embedder>) {
    this.#path = path;
    this.dim = meta.dim;
    this.id = meta.id;
    this.#load = load;
    let buf: Uint8Array;
    try {
      buf = Deno.readFileSync(path);
    } catch {
      return;
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const dec = new TextDecoder();
    for (let o = 0; o + 4 <= buf.length;) {
      const n = view.getUint32(o, true);
      if (o + 4 + n + 4 * this.dim > buf.length) break;
      const text = dec.decode(buf.subarray(o + 4, o + 4 + n));
      const vec = new Float32Array(buf.slice(o + 4 + n, o + 4 + n + 4 * this.dim).buffer);
      this.#cache.set(text, vec);
      o += 4 + n + 4 * this.dim;
    }
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const missing = [...new Set(texts.filter((t) => !this.#cache.has(t)))];
    if (missing.length > 0) {
      const inner = await (this.#inner ??= this.#load());
      const file = await Deno.open(this.#path, { append: true, create: true });
      try {
        const enc = new TextEncoder();
        for (let i = 0; i < missing.length; i += 32) {
          const batch = missing.slice(i, i + 32);
          const vecs = await inner.embed(batch);
          for (let j = 0; j < batch.length; j++) {
            const text = enc.encode(batch[j]!);
            const rec = new Uint8Array(4 + text.length + 4 * this.dim);
            new DataView(rec.buffer).setUint32(0, text.length, true);
            rec.set(text, 4);
            rec.set(new Uint8Array(vecs[j]!.buffer, vecs[j]!.byteOffset, 4 * this.dim), 4 + text.length);
            for (let w = 0; w < rec.length;) w += await file.write(rec.subarray(w));
            this.#cache.set(batch[j]!, vecs[j]!);
          }
          if (missing.length > 32) log(`embedded ${Math.min(i + 32, missing.length)}/${missing.length}`);
        }
      } finally {
        file.close();
      }
    }
    return texts.map((t) => this.#cache.get(t)!.slice());
  }
}

function log(msg: string): void {
  console.error(`[locomo] ${msg}`);
}

/** Figures of a run: overall, by category, and how many questions. */
export interface RunResult {
  questions: number;
  overall: Scores;
  by_category: Record<string, Scores>;
}

/**
 * Runs a retriever over every conversation and scores it.
 *
 * @param conversations From `loadLocomo`.
 * @param make A fresh retriever per conversation.
 * @returns Mean scores overall and per category.
 */
export async function runBenchmark(
  conversations: readonly LocomoConversation[],
  make: () => Retriever,
): Promise<RunResult> {
  const all: Scores[] = [];
  const byCat = new Map<number, Scores[]>();
  for (const conv of conversations) {
    const retriever = make();
    try {
      await retriever.add(conv.memories);
      for (const q of conv.questions) {
        const s = scoreQuestion(await retriever.search(q.question, 100, conv.now), q.evidence);
        all.push(s);
        if (!byCat.has(q.category)) byCat.set(q.category, []);
        byCat.get(q.category)!.push(s);
      }
    } finally {
      await retriever.close?.();
    }
  }
  const by_category: Record<string, Scores> = {};
  for (const cat of [...byCat.keys()].sort()) by_category[String(cat)] = meanScores(byCat.get(cat)!);
  return { questions: all.length, overall: meanScores(all), by_category };
}

/**
 * The ablation: each row is the full pipeline with one mechanism changed, plus the baselines and the
 * steps from them to the full pipeline.
 */
export const ABLATION: readonly [string, RetrieverConfig][] = [
  ["BM25 alone (README set-up)", BM25_ONLY],
  ["BM25 without query stop words", { ...BM25_ONLY, queryStopWords: false }],
  ["BM25 + Porter stemming", { ...BM25_ONLY, stem: true }],
  ["dense alone (USE-lite, raw question)", DENSE_ONLY],
  ["dense + query rewrite (denseQueryText)", { ...DENSE_ONLY, denseQuery: true }],
  ["dense + query rewrite + context vector", { ...DENSE_ONLY, denseQuery: true, contextVector: true }],
  ["dense + context vector (raw question)", { ...DENSE_ONLY, contextVector: true }],
  ["hybrid: weighted sum of min-max scores", { ...BASE, rank: NO_RERANK }],
  ["  + score completion", { ...BASE, complete: true, rank: NO_RERANK }],
  ["  + context smoothing", { ...BASE, complete: true, rank: { threadWeight: 0, timeWeight: 0 } }],
  ["  + thread boost", { ...BASE, complete: true, rank: { timeWeight: 0 } }],
  ["  + date cues", { ...BASE, complete: true, timeCues: true }],
  ["  + Porter stemming", { ...BASE, complete: true, timeCues: true, stem: true }],
  ["  + context vector = FULL", FULL],
  ["FULL without score completion", { ...FULL, complete: false }],
  ["FULL without context smoothing", { ...FULL, rank: { contextWeight: 0 } }],
  ["FULL without thread boost", { ...FULL, rank: { threadWeight: 0 } }],
  ["FULL without date cues", { ...FULL, timeCues: false }],
  ["FULL without Porter stemming", { ...FULL, stem: false }],
  ["FULL without context vector", { ...FULL, contextVector: false }],
  ["FULL with dense query rewrite", { ...FULL, denseQuery: true }],
  ["FULL with dense query rewrite, actor names kept", { ...FULL, denseQuery: true, denseQueryActors: false }],
  ["FULL without query stop words", { ...FULL, queryStopWords: false }],
  ["FULL without actor prefix", { ...FULL, actorPrefix: false }],
  ["FULL, RRF (k = 10) instead of weighted sum", { ...FULL, rank: { fusion: "rrf" } }],
  ["FULL, RRF (k = 60)", { ...FULL, rank: { fusion: "rrf", rrfK: 60 } }],
  ["FULL, max instead of min-max normalisation", { ...FULL, rank: { normalization: "max" } }],
  ["FULL, lexical : dense = 0.35 : 0.65", { ...FULL, rank: { lexicalWeight: 0.35, denseWeight: 0.65 } }],
  ["FULL, lexical : dense = 0.65 : 0.35", { ...FULL, rank: { lexicalWeight: 0.65, denseWeight: 0.35 } }],
  ["FULL, context weight 0.15", { ...FULL, rank: { contextWeight: 0.15 } }],
  ["FULL, context weight 0.5", { ...FULL, rank: { contextWeight: 0.5 } }],
  ["FULL, thread weight 0.15", { ...FULL, rank: { threadWeight: 0.15 } }],
  ["FULL, thread weight 0.5", { ...FULL, rank: { threadWeight: 0.5 } }],
  ["FULL, thread top 1", { ...FULL, rank: { threadTop: 1 } }],
  ["FULL, thread top 5", { ...FULL, rank: { threadTop: 5 } }],
  ["FULL, time weight 0.2", { ...FULL, rank: { timeWeight: 0.2 } }],
  ["FULL, time weight 0.8", { ...FULL, rank: { timeWeight: 0.8 } }],
  ["FULL, time scale 30 days", { ...FULL, rank: { timeScaleMs: 30 * 86_400_000 } }],
  ["FULL, 50 candidates per index", { ...FULL, candidates: 50 }],
  ["FULL, 200 candidates per index", { ...FULL, candidates: 200 }],
  ["FULL, every memory a candidate", { ...FULL, candidates: Number.MAX_SAFE_INTEGER }],
];

function pct(x: number): string {
  return (100 * x).toFixed(1);
}

function row(name: string, r: RunResult): string {
  const cats = ["1", "2", "3", "4", "5"].map((c) => pct(r.by_category[c]?.r10 ?? 0));
  return `| ${name} | ${pct(r.overall.r10)} | ${cats.join(" | ")} | ${pct(r.overall.r5)} | ${
    pct(r.overall.mrr)
  } |`;
}

function table(title: string, r: RunResult, counts: Map<string, number>): string {
  const lines = [
    `### ${title}`,
    "",
    "| group | n | R@1 | R@5 | R@10 | R@25 | R@50 | MRR | NDCG@10 |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  const names: Record<string, string> = {
    1: "multi-hop",
    2: "temporal",
    3: "open-domain",
    4: "single-hop",
    5: "adversarial",
  };
  const line = (g: string, n: number, s: Scores) =>
    `| ${g} | ${n} | ${[s.r1, s.r5, s.r10, s.r25, s.r50, s.mrr, s.ndcg10].map(pct).join(" | ")} |`;
  lines.push(line("all", r.questions, r.overall));
  for (const [c, s] of Object.entries(r.by_category)) {
    lines.push(line(`${c} ${names[c] ?? ""}`, counts.get(c) ?? 0, s));
  }
  return lines.join("\n");
}

interface Args {
  data: string;
  json: boolean;
  retriever: "t4dm" | "reference";
  ablation: boolean;
  candidates: number | undefined;
  cache: string | undefined;
  conversations: number;
  /** Overrides of the product retriever's ranking weights. */
  weights: Partial<RankWeights>;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    data: fileURLToPath(new URL("../../shared/bench/locomo/locomo-dev.json", import.meta.url)),
    json: false,
    retriever: "t4dm",
    ablation: false,
    candidates: undefined,
    cache: undefined,
    conversations: Infinity,
    weights: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new TypeError(`Cannot parse arguments: ${arg} needs a value`);
      return v;
    };
    if (arg === "--") continue;
    else if (arg === "--data") a.data = value();
    else if (arg === "--json") a.json = true;
    else if (arg === "--retriever") {
      const v = value();
      if (v !== "t4dm" && v !== "reference") {
        throw new TypeError(`Cannot parse arguments: --retriever is "${v}", expected "t4dm" or "reference"`);
      }
      a.retriever = v;
    } else if (arg === "--ablation") a.ablation = true;
    else if (arg === "--candidates") a.candidates = Number(value());
    else if (arg === "--cache") a.cache = value();
    else if (arg === "--conversations") a.conversations = Number(value());
    else if (arg === "--weight") {
      const v = value();
      const [name = "", num = ""] = v.split("=");
      if (!(name in DEFAULT_WEIGHTS) || num.trim() === "" || !Number.isFinite(Number(num))) {
        throw new TypeError(
          `Cannot parse arguments: --weight is "${v}", expected NAME=NUMBER of RankWeights`,
        );
      }
      a.weights = { ...a.weights, [name]: Number(num) };
    } else throw new TypeError(`Cannot parse arguments: unknown option "${arg}"`);
  }
  return a;
}

async function main(): Promise<void> {
  const args = parseArgs(Deno.args);
  if (Object.keys(args.weights).length > 0 && (args.retriever !== "t4dm" || args.ablation)) {
    throw new TypeError("Cannot run the benchmark: --weight applies to the product retriever only");
  }
  const conversations = (await loadLocomo(args.data)).slice(0, args.conversations);
  const meta = { dim: 512, id: "use-lite-en-512" };
  const embedder = new FileCachedEmbedder(args.cache ?? `/tmp/t4dm-locomo-${meta.id}.bin`, meta, () => {
    log("loading USE-lite to embed texts not in the cache");
    return UseEmbedder.load();
  });
  const run = async (name: string, config: RetrieverConfig) => {
    const cfg = args.candidates === undefined ? config : { ...config, candidates: args.candidates };
    const t0 = performance.now();
    rankingMs.length = 0;
    const r = await runBenchmark(conversations, () => new ReferenceRetriever(embedder, cfg));
    const ms = rankingMs.sort((a, b) => a - b);
    log(
      `${name}: R@10 ${pct(r.overall.r10)} (${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s; ranking per query: ` +
        `median ${ms[ms.length >> 1]?.toFixed(2)} ms, p99 ${
          ms[Math.floor(ms.length * 0.99)]?.toFixed(2)
        } ms)`,
    );
    return r;
  };
  if (args.ablation) {
    const out = [
      "| mechanism | R@10 | 1 multi-hop | 2 temporal | 3 open-domain | 4 single-hop | 5 adversarial | R@5 | MRR |",
      "|---|---|---|---|---|---|---|---|---|",
    ];
    for (const [name, config] of ABLATION) out.push(row(name, await run(name, config)));
    console.log(out.join("\n"));
    return;
  }
  let full: RunResult;
  let latency: Record<string, number> | undefined;
  if (args.retriever === "t4dm") {
    const t0 = performance.now();
    productMs.length = 0;
    full = await runBenchmark(conversations, () => new T4DMRetriever(embedder, args.weights));
    const q = (xs: number[], p: number) => {
      const s = [...xs].sort((a, b) => a - b);
      return Math.round(1000 * (s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN)) / 1000;
    };
    const stage = (f: (t: RecallTimings) => number) => q(productMs.map((x) => f(x.timings)), 0.5);
    latency = {
      recall_p50_ms: q(productMs.map((x) => x.recall), 0.5),
      recall_p99_ms: q(productMs.map((x) => x.recall), 0.99),
      cues_p50_ms: stage((t) => t.cues),
      candidates_p50_ms: stage((t) => t.candidates),
      pool_p50_ms: stage((t) => t.pool),
      rank_p50_ms: stage((t) => t.rank),
      pool_size_p50: stage((t) => t.poolSize),
    };
    log(
      `t4dm: R@10 ${pct(full.overall.r10)} (${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
        `recall per query ${JSON.stringify(latency)})`,
    );
  } else {
    full = await run("full", FULL);
  }
  const bm25 = await run("bm25", BM25_ONLY);
  const dense = await run("dense", DENSE_ONLY);
  const retriever = args.retriever === "t4dm"
    ? "t4dm: the T4DM library (T4DM.open on real files, storeMany, recall k = 50)"
    : "reference: the research pipeline over exact in-memory indexes (ReferenceRetriever, FULL)";
  const baselineNote = "BM25-only and dense-only baselines run the in-memory reference implementations " +
    "(ReferenceRetriever with one index, no re-ranking), not the library";
  if (args.json) {
    console.log(JSON.stringify({
      retriever,
      weights: args.weights,
      ...full,
      ...(latency ? { latency } : {}),
      baselines: { note: baselineNote, bm25, dense },
    }));
    return;
  }
  const counts = new Map<string, number>();
  for (const c of conversations) {
    for (const q of c.questions) counts.set(String(q.category), (counts.get(String(q.category)) ?? 0) + 1);
  }
  console.log(
    [
      table(args.retriever === "t4dm" ? "T4DM library (product)" : "T4DM reference pipeline", full, counts),
      table("BM25 alone (reference implementation)", bm25, counts),
      table("Dense alone (reference implementation)", dense, counts),
      `Retriever: ${retriever}. ${baselineNote}.` +
      (latency
        ? `\nRecall latency per query (ms; query embedding from the cache): ${JSON.stringify(latency)}`
        : ""),
    ]
      .join("\n\n"),
  );
}

if (import.meta.main) await main();
