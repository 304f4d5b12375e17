import { CachedEmbedder } from "./cached_embedder.ts";
import { type Embedder, embedOne } from "./embedder.ts";

/**
 * A real, deterministic 8-d embedder for tests: each text maps to the unit vector of its FNV-1a hash
 * bytes. It records every batch it is asked for, can be held at a gate, and fails on texts starting "!".
 */
class HashEmbedder implements Embedder {
  readonly dim = 8;
  readonly id = "hash-8";
  readonly batches: string[][] = [];
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => {};

  /** Makes later calls wait until {@linkcode release}. */
  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open();
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    this.batches.push([...texts]);
    await this.#gate;
    if (texts.some((t) => t.startsWith("!"))) throw new Error(`Cannot embed batch ${JSON.stringify(texts)}`);
    return texts.map((t) => hashVector(t, this.dim));
  }
}

function hashVector(text: string, dim: number): Float32Array {
  const v = new Float32Array(dim);
  let h = 0x811c9dc5;
  for (let i = 0; i < dim; i++) {
    for (const c of `${i}:${text}`) h = Math.imul(h ^ c.codePointAt(0)!, 0x01000193) >>> 0;
    v[i] = (h & 0xffff) / 0x8000 - 1;
  }
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function state(inner: HashEmbedder, cached: CachedEmbedder): string {
  return `batches ${JSON.stringify(inner.batches)}, cache size ${cached.size}`;
}

Deno.test("CachedEmbedder.embed() returns the inner embedder's vectors in input order", async () => {
  const inner = new HashEmbedder();
  const cached = new CachedEmbedder(inner);
  const got = await cached.embed(["b", "a", "c"]);
  const want = ["b", "a", "c"].map((t) => hashVector(t, 8));
  if (JSON.stringify(got.map((v) => Array.from(v))) !== JSON.stringify(want.map((v) => Array.from(v)))) {
    throw new Error(`got ${got.map((v) => v[0])}, want ${want.map((v) => v[0])}`);
  }
  if (cached.dim !== 8 || cached.id !== "hash-8") throw new Error(`dim ${cached.dim}, id ${cached.id}`);
});

Deno.test("CachedEmbedder.embed() serves a repeated text from the cache", async () => {
  const inner = new HashEmbedder();
  const cached = new CachedEmbedder(inner);
  const first = await embedOne(cached, "hello");
  const second = await embedOne(cached, "hello");
  if (inner.batches.length !== 1 || first[0] !== second[0]) {
    throw new Error(`${state(inner, cached)}, ${first[0]} vs ${second[0]}`);
  }
});

Deno.test("CachedEmbedder.embed() gathers concurrent calls and duplicates into one inner call", async () => {
  const inner = new HashEmbedder();
  const cached = new CachedEmbedder(inner);
  await Promise.all([
    embedOne(cached, "a"),
    cached.embed(["b", "c", "b"]),
    embedOne(cached, "a"),
    embedOne(cached, "d"),
  ]);
  if (JSON.stringify(inner.batches) !== '[["a","b","c","d"]]') throw new Error(state(inner, cached));
});

Deno.test("CachedEmbedder.embed() sends at most maxBatchSize texts per inner call", async () => {
  const inner = new HashEmbedder();
  const cached = new CachedEmbedder(inner, { maxBatchSize: 2 });
  const got = await cached.embed(["a", "b", "c", "d", "e"]);
  if (JSON.stringify(inner.batches) !== '[["a","b"],["c","d"],["e"]]' || got.length !== 5) {
    throw new Error(`${state(inner, cached)}, ${got.length} vectors`);
  }
});

Deno.test("CachedEmbedder.embed() batches texts that arrive while a model call runs", async () => {
  const inner = new HashEmbedder();
  const cached = new CachedEmbedder(inner);
  inner.hold();
  const first = embedOne(cached, "a");
  await Promise.resolve(); // let the first batch start
  await Promise.resolve();
  const later = Promise.all([embedOne(cached, "b"), embedOne(cached, "a"), embedOne(cached, "c")]);
  inner.release();
  await Promise.all([first, later]);
  if (JSON.stringify(inner.batches) !== '[["a"],["b","c"]]') throw new Error(state(inner, cached));
});

Deno.test("CachedEmbedder evicts the least recently used text", async (t) => {
  const inner = new HashEmbedder();
  const cached = new CachedEmbedder(inner, { cacheSize: 2 });
  await cached.embed(["a"]);
  await cached.embed(["b"]);
  await cached.embed(["a"]); // a is now more recent than b
  await cached.embed(["c"]); // evicts b

  await t.step("the cache holds cacheSize texts", () => {
    if (cached.size !== 2) throw new Error(state(inner, cached));
  });

  await t.step("a recently used text stays, the least recent is embedded again", async () => {
    await cached.embed(["a"]);
    await cached.embed(["b"]);
    if (JSON.stringify(inner.batches) !== '[["a"],["b"],["c"],["b"]]') throw new Error(state(inner, cached));
  });
});

Deno.test("CachedEmbedder.embed() hands out copies, so mutating one leaves the cache intact", async () => {
  const inner = new HashEmbedder();
  const cached = new CachedEmbedder(inner);
  const [v] = await cached.embed(["a"]);
  const before = v![0]!;
  v!.fill(0);
  const [again] = await cached.embed(["a"]);
  if (again![0] !== before) throw new Error(`cached value changed from ${before} to ${again![0]}`);
});

Deno.test("CachedEmbedder.embed() rejects the callers of a failed batch only and caches nothing", async () => {
  const inner = new HashEmbedder();
  const cached = new CachedEmbedder(inner, { maxBatchSize: 2 });
  const results = await Promise.allSettled([
    cached.embed(["ok", "!bad"]),
    cached.embed(["fine"]),
  ]);
  const statuses = results.map((r) => r.status).join(",");
  if (statuses !== "rejected,fulfilled" || cached.size !== 1) {
    throw new Error(`statuses ${statuses}, ${state(inner, cached)}`);
  }
  await cached.embed(["ok"]); // not cached: asked again
  if (JSON.stringify(inner.batches.at(-1)) !== '["ok"]') throw new Error(state(inner, cached));
});

Deno.test("new CachedEmbedder() rejects a batch size below 1", () => {
  try {
    new CachedEmbedder(new HashEmbedder(), { maxBatchSize: 0 });
  } catch (e) {
    if (e instanceof RangeError && e.message.includes("maxBatchSize is 0")) return;
    throw e;
  }
  throw new Error("no error thrown");
});

Deno.test("CachedEmbedder with cacheSize 0 still batches but caches nothing", async () => {
  const inner = new HashEmbedder();
  const cached = new CachedEmbedder(inner, { cacheSize: 0 });
  await Promise.all([embedOne(cached, "a"), embedOne(cached, "a")]);
  await embedOne(cached, "a");
  if (JSON.stringify(inner.batches) !== '[["a"],["a"]]' || cached.size !== 0) {
    throw new Error(state(inner, cached));
  }
});

Deno.test("CachedEmbedder with maxInFlight 2 overlaps two inner calls, no more, and gathers the rest", async () => {
  const inner = new HashEmbedder();
  const cached = new CachedEmbedder(inner, { maxBatchSize: 2, maxInFlight: 2 });
  inner.hold();
  const all = Promise.all(["a", "b", "c", "d", "e", "f", "g"].map((t) => embedOne(cached, t)));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  // Two batches out, held; the other texts wait for a free slot.
  if (JSON.stringify(inner.batches) !== '[["a","b"],["c","d"]]') throw new Error(state(inner, cached));
  inner.release();
  const vecs = await all;
  if (JSON.stringify(inner.batches) !== '[["a","b"],["c","d"],["e","f"],["g"]]') {
    throw new Error(state(inner, cached));
  }
  const want = hashVector("g", 8);
  if (vecs[6]!.some((x, i) => Math.abs(x - want[i]!) > 1e-7)) throw new Error("vector of g is not its own");
});

Deno.test("new CachedEmbedder() rejects maxInFlight below 1", () => {
  try {
    new CachedEmbedder(new HashEmbedder(), { maxInFlight: 0 });
  } catch (e) {
    if (e instanceof RangeError && e.message.includes("maxInFlight is 0")) return;
    throw e;
  }
  throw new Error("no error thrown");
});
