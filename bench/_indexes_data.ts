/**
 * Seeded synthetic data for the index benchmark: unit vectors (uniform Gaussian, and Gaussian clusters)
 * and a Zipf-distributed text corpus. Everything is a pure function of its seed, so every run and every
 * phase sees the same bytes.
 *
 * @module
 */
import { mulberry32, type Rng } from "../engine/util/rng.ts";
import { tokenize } from "../engine/indexes/tokenizer.ts";

/** Standard normal samples by Box–Muller, two per pair of uniforms. */
export function gaussian(rng: Rng): () => number {
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = NaN;
      return s;
    }
    const u = 1 - rng(), v = rng(); // u in (0, 1]: log(u) is finite
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

function normalize(v: Float32Array): void {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
}

/** `n` unit vectors of dimension `dim` stored row-major, plus `nq` held-out queries. */
export interface VectorSet {
  /** Short stable name, e.g. `gaussian_random`. */
  name: string;
  /** How it was drawn, for the report. */
  description: string;
  n: number;
  dim: number;
  /** n·dim floats; row `i` is `row(i)`. */
  data: Float32Array;
  nq: number;
  /** nq·dim floats. */
  queries: Float32Array;
}

/** Row `i` of a row-major matrix (a view, not a copy). */
export function row(m: Float32Array, dim: number, i: number): Float32Array {
  return m.subarray(i * dim, (i + 1) * dim);
}

/** The kinds of vector data, in report order. */
export const VECTOR_KINDS = ["random", "clustered"] as const;
/** One of {@linkcode VECTOR_KINDS}. */
export type VectorKind = typeof VECTOR_KINDS[number];

/** Clusters of the clustered set and the range of their spreads (noise norm relative to the centre). */
const CLUSTERS = 1000;
const SPREAD_MIN = 0.35, SPREAD_MAX = 0.7;

/** The report name of each kind of vector set. */
export const VECTOR_SET_NAMES: Readonly<Record<VectorKind, string>> = {
  random: "gaussian_random",
  clustered: `gaussian_clusters_${CLUSTERS}`,
};

/**
 * Draws a vector set. Rows come from one generator and queries from another, so the first rows of a
 * larger set equal a smaller one with the same seed, and the queries do not depend on `n`.
 *
 * - `random`: each row is N(0, I) normalised: no structure at all, the worst case for a graph index.
 * - `clustered`: 1000 unit centres drawn as above; a row picks a centre uniformly and adds isotropic
 *   Gaussian noise of norm about `spread` (per cluster, uniform in [0.35, 0.7]), then is normalised. Two
 *   rows of one cluster have cosine about 0.7–0.9, rows of different clusters about 0: closer to real
 *   embeddings. Queries are fresh draws from the same mixture.
 */
export function vectorSet(
  kind: VectorKind,
  o: { n: number; dim: number; nq: number; seed: number },
): VectorSet {
  const { n, dim, nq, seed } = o;
  const data = new Float32Array(n * dim), queries = new Float32Array(nq * dim);
  if (kind === "random") {
    const g = gaussian(mulberry32(seed)), gq = gaussian(mulberry32(seed ^ 0x51ed));
    for (let i = 0; i < data.length; i++) data[i] = g();
    for (let i = 0; i < queries.length; i++) queries[i] = gq();
    for (let i = 0; i < n; i++) normalize(row(data, dim, i));
    for (let i = 0; i < nq; i++) normalize(row(queries, dim, i));
    return {
      name: VECTOR_SET_NAMES.random,
      description: `${n} rows + ${nq} queries, N(0, I) in ${dim}-d, normalised (seed ${seed})`,
      n,
      dim,
      data,
      nq,
      queries,
    };
  }
  const cg = gaussian(mulberry32(seed ^ 0xc1c1));
  const centres = new Float32Array(CLUSTERS * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = cg();
  for (let c = 0; c < CLUSTERS; c++) normalize(row(centres, dim, c));
  const spreads = new Float64Array(CLUSTERS);
  const spreadRng = mulberry32(seed ^ 0x5e5e);
  for (let c = 0; c < CLUSTERS; c++) spreads[c] = SPREAD_MIN + (SPREAD_MAX - SPREAD_MIN) * spreadRng();
  const fill = (m: Float32Array, rows: number, rng: Rng): void => {
    const g = gaussian(rng);
    for (let i = 0; i < rows; i++) {
      const c = Math.floor(rng() * CLUSTERS);
      const scale = spreads[c]! / Math.sqrt(dim);
      const r = row(m, dim, i), ctr = row(centres, dim, c);
      for (let j = 0; j < dim; j++) r[j] = ctr[j]! + scale * g();
      normalize(r);
    }
  };
  fill(data, n, mulberry32(seed));
  fill(queries, nq, mulberry32(seed ^ 0x51ed));
  return {
    name: VECTOR_SET_NAMES.clustered,
    description: `${n} rows + ${nq} queries from ${CLUSTERS} equiprobable Gaussian clusters in ${dim}-d ` +
      `(unit centres, noise norm ${SPREAD_MIN}–${SPREAD_MAX} per cluster), normalised (seed ${seed})`,
    n,
    dim,
    data,
    nq,
    queries,
  };
}

/** A synthetic corpus: a vocabulary ranked by frequency and a Zipf sampler over it. */
export interface Corpus {
  /** Words by rank (0 = most frequent); every word tokenizes to itself and is not a stop word. */
  vocab: string[];
  /** Zipf exponent. */
  s: number;
  /** A word rank drawn from Zipf(s) over the vocabulary. */
  zipfRank: (rng: Rng) => number;
}

const CONSONANTS = "bcdfghjklmnprstvz", VOWELS = "aeiou";

/** `size` distinct pronounceable words (2–4 consonant-vowel syllables) with Zipf(`s`) rank weights. */
export function corpus(size: number, s: number, seed: number): Corpus {
  const rng = mulberry32(seed);
  const pick = (alphabet: string) => alphabet[Math.floor(rng() * alphabet.length)]!;
  const seen = new Set<string>();
  const vocab: string[] = [];
  while (vocab.length < size) {
    let w = "";
    for (let n = 2 + Math.floor(rng() * 3); n > 0; n--) w += pick(CONSONANTS) + pick(VOWELS);
    if (seen.has(w)) continue;
    seen.add(w);
    const t = tokenize(w);
    if (t.length === 1 && t[0] === w) vocab.push(w);
  }
  const cdf = new Float64Array(size);
  let total = 0;
  for (let r = 0; r < size; r++) cdf[r] = total += 1 / Math.pow(r + 1, s);
  for (let r = 0; r < size; r++) cdf[r] = cdf[r]! / total;
  const zipfRank = (rand: Rng): number => {
    const u = rand();
    let lo = 0, hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return { vocab, s, zipfRank };
}

/** One document's text: 15–25 words drawn by Zipf rank from `rng`. */
export function documentText(c: Corpus, rng: Rng): string {
  const len = 15 + Math.floor(rng() * 11);
  const words: string[] = [];
  for (let j = 0; j < len; j++) words.push(c.vocab[c.zipfRank(rng)]!);
  return words.join(" ");
}

/** A query of 2–4 distinct words, drawn by Zipf rank or uniformly over the vocabulary. */
export function queryText(c: Corpus, rng: Rng, mode: "zipf" | "uniform"): string {
  const want = 2 + Math.floor(rng() * 3);
  const words = new Set<string>();
  while (words.size < want) {
    const r = mode === "zipf" ? c.zipfRank(rng) : Math.floor(rng() * c.vocab.length);
    words.add(c.vocab[r]!);
  }
  return [...words].join(" ");
}
