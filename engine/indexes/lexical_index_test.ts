import { T4DX } from "../db.ts";
import { isCorruption, isInvalidArgument } from "../errors.ts";
import { MemFs } from "../fs/mem_fs.ts";
import { compareBytes } from "../util/coding.ts";
import { mulberry32, type Rng } from "../util/rng.ts";
import { WriteBatch } from "../write_batch.ts";
import { Keyspace, SPACE } from "./keyspace.ts";
import { decodePosting, encodePosting, type LexicalHit, LexicalIndex } from "./lexical_index.ts";
import { tokenize } from "./tokenizer.ts";

const dec = new TextDecoder();
const enc = new TextEncoder();

// ---------------------------------------------------------------------------------------------------------
// A model of the collection: the texts by id, with the coordinator's statistics and a brute-force BM25.

interface Stats {
  docCount: number;
  totalLength: number;
}

class Model {
  readonly texts = new Map<string, string>();
  readonly stats: Stats = { docCount: 0, totalLength: 0 };

  /** Puts or replaces `id` as the coordinator would: one batch with the old postings removed first. */
  async put(db: T4DX, index: LexicalIndex, id: string, text: string): Promise<void> {
    const batch = new WriteBatch();
    const old = this.texts.get(id);
    if (old !== undefined) {
      this.stats.totalLength -= index.removeDoc(batch, id, old).docLen;
      this.stats.docCount--;
    }
    this.stats.totalLength += index.addDoc(batch, id, text).docLen;
    this.stats.docCount++;
    await db.write(batch);
    this.texts.set(id, text);
  }

  async delete(db: T4DX, index: LexicalIndex, id: string): Promise<void> {
    const batch = new WriteBatch();
    this.stats.totalLength -= index.removeDoc(batch, id, this.texts.get(id)!).docLen;
    this.stats.docCount--;
    await db.write(batch);
    this.texts.delete(id);
  }

  /** Textbook BM25 over every document, written independently of bm25.ts and lexical_index.ts. */
  search(
    query: string,
    k: number,
    o: { k1?: number; b?: number; filter?: (id: string) => boolean } = {},
  ): LexicalHit[] {
    const k1 = o.k1 ?? 1.2, b = o.b ?? 0.75;
    const docs = [...this.texts].map(([id, text]) => ({ id, tokens: tokenize(text) }));
    const N = docs.length;
    const avgdl = docs.reduce((s, d) => s + d.tokens.length, 0) / N;
    const terms = [...new Set(tokenize(query))];
    const df = new Map(terms.map((t) => [t, docs.filter((x) => x.tokens.includes(t)).length]));
    const hits: LexicalHit[] = [];
    for (const d of docs) {
      let score = 0, matched = false;
      for (const t of terms) {
        const n = df.get(t)!;
        const tf = d.tokens.filter((x) => x === t).length;
        if (tf === 0) continue;
        matched = true;
        const idf = Math.log(1 + (N - n + 0.5) / (n + 0.5));
        score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * d.tokens.length) / avgdl));
      }
      if (matched && (o.filter === undefined || o.filter(d.id))) hits.push({ id: d.id, score });
    }
    hits.sort((x, y) => y.score - x.score || compareBytes(enc.encode(x.id), enc.encode(y.id)));
    return hits.slice(0, k);
  }

  /** The posting space the index should hold, rendered like {@linkcode dumpPostings}. */
  expectedPostings(): string {
    const lines: string[] = [];
    for (const [id, text] of this.texts) {
      const tokens = tokenize(text);
      for (const t of new Set(tokens)) {
        lines.push(`${t} ${id} tf=${tokens.filter((x) => x === t).length} len=${tokens.length}`);
      }
    }
    return lines.sort().join("\n");
  }
}

/** Every key of the collection's posting space as `term id tf=.. len=..`, sorted. */
function dumpPostings(db: T4DX, ks: Keyspace): string {
  const space = ks.space(SPACE.posting);
  const lines: string[] = [];
  for (const [key, value] of db.iterator({ prefix: space })) {
    const rest = key.subarray(space.length);
    const sep = rest.indexOf(0);
    const { tf, docLen } = decodePosting(value);
    lines.push(
      `${dec.decode(rest.subarray(0, sep))} ${dec.decode(rest.subarray(sep + 1))} tf=${tf} len=${docLen}`,
    );
  }
  return lines.sort().join("\n");
}

function assertPostings(db: T4DX, ks: Keyspace, model: Model, when: string): void {
  const got = dumpPostings(db, ks), want = model.expectedPostings();
  if (got === want) return;
  const g = new Set(got.split("\n")), w = new Set(want.split("\n"));
  const extra = [...g].filter((x) => !w.has(x)).slice(0, 10);
  const missing = [...w].filter((x) => !g.has(x)).slice(0, 10);
  throw new Error(
    `Postings differ ${when}:\nextra (ghosts):\n  ${extra.join("\n  ")}\nmissing:\n  ${missing.join("\n  ")}`,
  );
}

function render(hits: LexicalHit[]): string {
  return hits.map((h) => `${h.id}:${h.score.toFixed(12)}`).join(" ");
}

function assertSameHits(got: LexicalHit[], want: LexicalHit[], what: string): void {
  const same = got.length === want.length &&
    got.every((h, i) => h.id === want[i]!.id && Math.abs(h.score - want[i]!.score) <= 1e-9);
  if (!same) throw new Error(`${what}:\n got  ${render(got)}\n want ${render(want)}`);
}

// ---------------------------------------------------------------------------------------------------------
// Random corpora: a vocabulary of made-up words drawn with Zipf-like frequencies.

function makeVocab(rng: Rng, size: number): string[] {
  const syl = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "zu", "pe", "qua", "dré", "ön"];
  const words = new Set<string>(["2023", "7th", "42"]);
  while (words.size < size) {
    let w = "";
    const n = 1 + Math.floor(rng() * 3);
    for (let i = 0; i < n; i++) w += syl[Math.floor(rng() * syl.length)];
    words.add(w);
  }
  return [...words];
}

function zipfSampler(rng: Rng, vocab: string[]): () => string {
  const cum: number[] = [];
  let total = 0;
  for (let r = 0; r < vocab.length; r++) cum.push(total += 1 / (r + 1));
  return () => {
    const x = rng() * total;
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return vocab[lo]!;
  };
}

function makeText(rng: Rng, word: () => string): string {
  const n = rng() < 0.02 ? 0 : 1 + Math.floor(rng() * 40);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    let w = rng() < 0.1 ? ["the", "and", "of", "is"][Math.floor(rng() * 4)]! : word();
    if (rng() < 0.2) w = w[0]!.toUpperCase() + w.slice(1);
    parts.push(w, rng() < 0.15 ? ", " : rng() < 0.05 ? ". " : " ");
  }
  return parts.join("");
}

function makeQuery(rng: Rng, word: () => string): string {
  const n = 1 + Math.floor(rng() * 4);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng();
    parts.push(r < 0.05 ? "unknownword" : r < 0.1 ? "the" : word());
  }
  if (rng() < 0.1) parts.push(parts[0]!.toUpperCase()); // a repeated term
  return parts.join(" ");
}

function makeId(i: number): string {
  return i % 7 === 0 ? `é-${i}` : i % 11 === 0 ? `日-${i}` : `doc-${i}`;
}

async function openDb(fs = new MemFs()): Promise<T4DX> {
  // A small memtable so that postings spread over the memtable, level-0 tables and deeper levels.
  return await T4DX.open("/db", { fs, memtableBytes: 32 * 1024 });
}

async function buildCorpus(
  db: T4DX,
  index: LexicalIndex,
  seed: number,
  docs: number,
): Promise<{ model: Model; word: () => string; rng: Rng }> {
  const rng = mulberry32(seed);
  const word = zipfSampler(rng, makeVocab(rng, 200));
  const model = new Model();
  for (let i = 0; i < docs; i++) await model.put(db, index, makeId(i), makeText(rng, word));
  return { model, word, rng };
}

// ---------------------------------------------------------------------------------------------------------

Deno.test("search() agrees with brute-force BM25 on random corpora", async (t) => {
  for (const [seed, params] of [[1, {}], [2, {}], [3, { k1: 2, b: 0.3 }]] as const) {
    await t.step(`seed ${seed}, params ${JSON.stringify(params)}`, async () => {
      const db = await openDb();
      const ks = new Keyspace("c");
      const index = new LexicalIndex(db, ks, params);
      const { model, word, rng } = await buildCorpus(db, index, seed, 500);
      for (let q = 0; q < 60; q++) {
        const query = makeQuery(rng, word);
        const k = q % 10 === 0 ? 1000 : 1 + Math.floor(rng() * 20);
        const got = index.search(query, k, { stats: model.stats });
        assertSameHits(got, model.search(query, k, params), `query ${JSON.stringify(query)} k=${k}`);
      }
      await db.close();
    });
  }
});

Deno.test("prepare().scores() gives every record its exact BM25, bit-equal to top()", async () => {
  const db = await openDb();
  const ks = new Keyspace("c");
  const index = new LexicalIndex(db, ks);
  const { model, word, rng } = await buildCorpus(db, index, 5, 300);
  const ids = [...model.texts.keys()];
  for (let q = 0; q < 30; q++) {
    const query = makeQuery(rng, word);
    const prepared = index.prepare(query, { stats: model.stats });
    const all = new Map(model.search(query, 10_000).map((h) => [h.id, h.score]));
    const wanted = [...ids.filter(() => rng() < 0.2), "no-such-id"];
    const got = prepared.scores(wanted);
    const bad = wanted.filter((id) => Math.abs(got.get(id)! - (all.get(id) ?? 0)) > 1e-9);
    if (bad.length > 0 || got.size !== wanted.length) {
      throw new Error(
        `query ${JSON.stringify(query)}: ${bad.map((id) => `${id} ${got.get(id)} vs ${all.get(id)}`)}`,
      );
    }
    for (const h of prepared.top(15)) {
      if (prepared.scores([h.id]).get(h.id) !== h.score) throw new Error(`${h.id}: top and scores differ`);
    }
    // top() can be asked again on the same prepared query.
    assertSameHits(prepared.top(7), model.search(query, 7), `repeat top ${JSON.stringify(query)}`);
  }
  await db.close();
});

Deno.test("replace and delete leave no ghost postings and search agrees", async () => {
  const db = await openDb();
  const ks = new Keyspace("c");
  const index = new LexicalIndex(db, ks);
  const { model, word, rng } = await buildCorpus(db, index, 7, 300);
  const deleted = new Set<string>();
  for (let i = 0; i < 400; i++) {
    const ids = [...model.texts.keys()];
    const r = rng();
    if (r < 0.4) {
      await model.put(db, index, ids[Math.floor(rng() * ids.length)]!, makeText(rng, word)); // replace
    } else if (r < 0.7) {
      const id = ids[Math.floor(rng() * ids.length)]!;
      await model.delete(db, index, id);
      deleted.add(id);
    } else {
      const id = makeId(300 + i);
      await model.put(db, index, id, makeText(rng, word));
    }
  }
  // Re-adding some deleted ids: their new postings must be exactly the new text's.
  for (const id of [...deleted].slice(0, 20)) {
    await model.put(db, index, id, makeText(rng, word));
    deleted.delete(id);
  }
  assertPostings(db, ks, model, "after replaces and deletes");
  const ghosts = dumpPostings(db, ks).split("\n").filter((l) => deleted.has(l.split(" ")[1]!));
  if (ghosts.length > 0) throw new Error(`Ghost postings of deleted records:\n${ghosts.join("\n")}`);
  for (let q = 0; q < 40; q++) {
    const query = makeQuery(rng, word);
    assertSameHits(index.search(query, 10, { stats: model.stats }), model.search(query, 10), query);
  }
  await db.close();
});

Deno.test("replacing a record whose old and new texts share terms keeps the new postings", async () => {
  const db = await openDb();
  const ks = new Keyspace("c");
  const index = new LexicalIndex(db, ks);
  const model = new Model();
  await model.put(db, index, "m1", "red red apple pie");
  await model.put(db, index, "m1", "red apple tart");
  assertPostings(db, ks, model, "after replace");
  const want = "appl m1 tf=1 len=3\nred m1 tf=1 len=3\ntart m1 tf=1 len=3"; // terms are Porter stems
  if (dumpPostings(db, ks) !== want) throw new Error(dumpPostings(db, ks));
  await db.close();
});

Deno.test("postings survive reopen and compact()", async () => {
  const fs = new MemFs();
  let db = await openDb(fs);
  const ks = new Keyspace("c");
  let index = new LexicalIndex(db, ks);
  const { model, word, rng } = await buildCorpus(db, index, 11, 300);
  for (const id of [...model.texts.keys()].slice(0, 50)) await model.delete(db, index, id);
  const queries = Array.from({ length: 30 }, () => makeQuery(rng, word));
  const before = queries.map((q) => render(index.search(q, 10, { stats: model.stats })));
  const check = (when: string) => {
    assertPostings(db, ks, model, when);
    queries.forEach((q, i) => {
      const got = render(index.search(q, 10, { stats: model.stats }));
      if (got !== before[i]) {
        throw new Error(`${when}: query ${JSON.stringify(q)}\n got  ${got}\n want ${before[i]}`);
      }
    });
  };
  await db.close();
  db = await openDb(fs);
  index = new LexicalIndex(db, ks);
  check("after reopen");
  await db.compact();
  check("after compact()");
  await db.close();
  db = await openDb(fs);
  index = new LexicalIndex(db, ks);
  check("after compact() and reopen");
  await db.close();
});

Deno.test("search() applies the filter and still returns k hits when enough pass", async () => {
  const db = await openDb();
  const index = new LexicalIndex(db, new Keyspace("c"));
  const { model, word, rng } = await buildCorpus(db, index, 5, 500);
  const even = (id: string) => Number(id.split("-")[1]) % 2 === 0;
  for (let q = 0; q < 30; q++) {
    const query = makeQuery(rng, word);
    const calls: string[] = [];
    const filter = (id: string) => {
      calls.push(id);
      return even(id);
    };
    const got = index.search(query, 10, { stats: model.stats, filter });
    const want = model.search(query, 10, { filter: even });
    assertSameHits(got, want, `filtered query ${JSON.stringify(query)}`);
    if (got.some((h) => !even(h.id))) throw new Error(`filter ignored: ${render(got)}`);
    if (new Set(calls).size !== calls.length) throw new Error(`filter called twice on an id: ${calls}`);
    const matching = model.search(query, 10_000, { filter: even }).length;
    if (got.length !== Math.min(10, matching)) throw new Error(`${got.length} hits, ${matching} match`);
  }
  const none = index.search("kalo mi", 5, { stats: model.stats, filter: () => false });
  if (none.length !== 0) throw new Error(render(none));
  await db.close();
});

Deno.test("search() reads postings as of a snapshot", async () => {
  const db = await openDb();
  const index = new LexicalIndex(db, new Keyspace("c"));
  const model = new Model();
  await model.put(db, index, "a", "blue whale");
  await model.put(db, index, "b", "blue sky");
  const snap = db.snapshot();
  const oldStats = { ...model.stats };
  await model.delete(db, index, "a");
  await model.put(db, index, "b", "grey sky");
  const then = render(index.search("blue", 10, { stats: oldStats, snapshot: snap }));
  const now = render(index.search("blue", 10, { stats: model.stats }));
  snap.release();
  if (!then.startsWith("a:") || !then.includes(" b:") || now !== "") {
    throw new Error(`snapshot: "${then}", now: "${now}"`);
  }
  await db.close();
});

Deno.test("search() counts a repeated query term once and ranks ties by id bytes", async () => {
  const db = await openDb();
  const index = new LexicalIndex(db, new Keyspace("c"));
  const model = new Model();
  // U+FF01 is after U+1D49C's UTF-16 high surrogate but before its UTF-8 lead byte: ties follow the bytes.
  for (const id of ["z", "b", "\u{1d49c}", "y", "a", "\uff01"]) {
    await model.put(db, index, id, "apple banana");
  }
  await model.put(db, index, "c", "cherry banana");
  const once = render(index.search("apple", 10, { stats: model.stats }));
  const thrice = render(index.search("apple APPLE, apple", 10, { stats: model.stats }));
  if (once !== thrice || !once.startsWith("a:")) {
    throw new Error(`once: ${once}\nthrice: ${thrice}`);
  }
  const order = index.search("apple", 10, { stats: model.stats }).map((h) => h.id).join();
  if (order !== "a,b,y,z,\uff01,\u{1d49c}") throw new Error(`tie order ${order}`);
  await db.close();
});

Deno.test("search() rejects a bad k and returns nothing for a query without terms", async () => {
  const db = await openDb();
  const index = new LexicalIndex(db, new Keyspace("c"));
  const model = new Model();
  await model.put(db, index, "a", "some text");
  for (const k of [0, -1, 1.5, NaN, Infinity]) {
    try {
      index.search("text", k, { stats: model.stats });
      throw new Error(`k=${k} accepted`);
    } catch (e) {
      if (!isInvalidArgument(e) || !String(e).includes(`Cannot search "text": k "${k}"`)) throw e;
    }
  }
  for (const q of ["", "   ", "the of and", "!!!", "absent"]) {
    const got = index.search(q, 3, { stats: model.stats });
    if (got.length !== 0) throw new Error(`query ${JSON.stringify(q)}: ${render(got)}`);
  }
  try {
    index.search("text", 3, { stats: { docCount: -1, totalLength: 0 } });
    throw new Error("negative stats accepted");
  } catch (e) {
    if (!isInvalidArgument(e)) throw e;
  }
  await db.close();
});

Deno.test("addDoc() and removeDoc() write one posting per distinct term and reject bad ids", async () => {
  const db = await openDb();
  const ks = new Keyspace("c");
  const index = new LexicalIndex(db, ks);
  const batch = new WriteBatch();
  const { docLen } = index.addDoc(batch, "m1", "To be or not to be: Be!");
  const { docLen: empty } = index.addDoc(batch, "m2", "the of");
  const ops = batch.ops.map((o) => `${o.type}:${dec.decode(o.key.subarray(ks.prefix.length))}`);
  if (docLen !== 0 || empty !== 0 || ops.length !== 0) throw new Error(`${docLen} ${empty} ${ops}`);
  const b2 = new WriteBatch();
  index.addDoc(b2, "m1", "Rose is a rose is a rose");
  const v = decodePosting(b2.ops[0]!.value);
  if (b2.count !== 1 || v.tf !== 3 || v.docLen !== 3) throw new Error(`${b2.count} ${JSON.stringify(v)}`);
  const b3 = new WriteBatch();
  if (index.removeDoc(b3, "m1", "Rose is a rose is a rose").docLen !== 3 || b3.count !== 1) {
    throw new Error(`removeDoc wrote ${b3.count} ops`);
  }
  for (const id of ["", "a\u0000b", "x".repeat(513)]) {
    try {
      index.addDoc(new WriteBatch(), id, "text");
      throw new Error(`id ${JSON.stringify(id)} accepted`);
    } catch (e) {
      if (!isInvalidArgument(e)) throw e;
    }
  }
  await db.close();
});

Deno.test("decodePosting() rejects truncated and inconsistent values", () => {
  const cases: [string, Uint8Array][] = [
    ["empty", new Uint8Array([])],
    ["no doc length", new Uint8Array([2])],
    ["truncated varint", new Uint8Array([1, 0x80])],
    ["tf of zero", new Uint8Array([0, 4])],
    ["doc length below tf", new Uint8Array([5, 4])],
    ["varint over 8 bytes", new Uint8Array([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1])],
  ];
  for (const [what, bytes] of cases) {
    try {
      decodePosting(bytes);
      throw new Error(`${what} accepted`);
    } catch (e) {
      if (!isCorruption(e)) throw e;
    }
  }
  const withTrailer = new Uint8Array([...encodePosting(1, 2 ** 40), 9, 9]);
  const p = decodePosting(withTrailer);
  if (p.tf !== 1 || p.docLen !== 2 ** 40) throw new Error(`trailing bytes: ${JSON.stringify(p)}`);
});

Deno.test("a postings cache answers exactly like the store through random writes and evictions", async () => {
  const rng = mulberry32(91);
  const words = "ada tea lake bike hill note rain moss fern kite".split(" ");
  const text = () =>
    Array.from({ length: 1 + Math.floor(rng() * 6) }, () => words[Math.floor(rng() * 10)]).join(" ");
  const fs = new MemFs();
  const db = await T4DX.open("/db", { fs });
  const ks = new Keyspace("c");
  const plain = new LexicalIndex(db, ks);
  const tiny = new LexicalIndex(db, ks, { cacheBytes: 2_000 }); // a few terms at most: constant eviction
  const roomy = new LexicalIndex(db, ks, { cacheBytes: 1 << 20 });
  const texts = new Map<string, string>();
  let docs = 0, total = 0;
  const stats = () => ({ docCount: docs, totalLength: total });
  let checked = 0;
  for (let step = 0; step < 400; step++) {
    const batch = new WriteBatch();
    for (let j = 0; j < 1 + Math.floor(rng() * 3); j++) {
      const id = `m${Math.floor(rng() * 40)}`;
      const old = texts.get(id);
      for (const ix of [tiny, roomy]) if (old !== undefined) ix.removeDoc(batch, id, old);
      if (old !== undefined) {
        total -= plain.removeDoc(batch, id, old).docLen;
        docs--;
        texts.delete(id);
      }
      if (rng() < 0.75) {
        const t = text();
        for (const ix of [tiny, roomy]) ix.addDoc(batch, id, t);
        total += plain.addDoc(batch, id, t).docLen;
        docs++;
        texts.set(id, t);
      }
    }
    // Queries between the batch's making and its write must see the old state, and must not cache it.
    const q = `${words[Math.floor(rng() * 10)]} ${words[Math.floor(rng() * 10)]}`;
    const before = plain.prepare(q, { stats: stats() }).top(50);
    for (const ix of [tiny, roomy]) {
      const got = ix.prepare(q, { stats: stats() }).top(50);
      if (JSON.stringify(got) !== JSON.stringify(before)) throw new Error(`step ${step} before write: ${q}`);
    }
    await db.write(batch);
    // A query after the write landed and before settle may cache lists that already hold the batch: the
    // patch must then change nothing.
    for (const ix of [tiny, roomy]) ix.prepare(q, { stats: stats() }).top(5);
    tiny.settle();
    roomy.settle();
    for (let r = 0; r < 3; r++) {
      const q2 = `${words[Math.floor(rng() * 10)]} ${words[Math.floor(rng() * 10)]} ${
        words[Math.floor(rng() * 10)]
      }`;
      const want = plain.prepare(q2, { stats: stats() });
      const ids = [...texts.keys()].slice(0, 10);
      for (const ix of [tiny, roomy]) {
        const got = ix.prepare(q2, { stats: stats() });
        if (JSON.stringify(got.top(20)) !== JSON.stringify(want.top(20))) {
          throw new Error(`step ${step}: top of ${JSON.stringify(q2)} differs with a cache`);
        }
        if (JSON.stringify([...got.scores(ids)]) !== JSON.stringify([...want.scores(ids)])) {
          throw new Error(`step ${step}: scores of ${JSON.stringify(q2)} differ with a cache`);
        }
        checked++;
      }
    }
  }
  if (checked !== 2400) throw new Error(`checked ${checked}`);
  await db.close();
});

Deno.test("a cached index starts its id table afresh once deleted records could fill half of it, and still agrees", async () => {
  const db = await openDb();
  const ks = new Keyspace("c");
  const plain = new LexicalIndex(db, ks);
  const cached = new LexicalIndex(db, ks, { cacheBytes: 1 << 20 });
  let docs = 0, total = 0;
  const stats = () => ({ docCount: docs, totalLength: total });
  const write = async (put: string[], remove: string[], text: (id: string) => string) => {
    const batch = new WriteBatch();
    for (const id of remove) {
      cached.removeDoc(batch, id, text(id));
      total -= plain.removeDoc(batch, id, text(id)).docLen;
      docs--;
    }
    for (const id of put) {
      cached.addDoc(batch, id, text(id));
      total += plain.addDoc(batch, id, text(id)).docLen;
      docs++;
    }
    await db.write(batch);
    cached.settle();
  };
  // Five records that stay (their term's list stays cached throughout), and 3000 that pass through, at
  // most 20 at a time: the id table restarts twice (past 2·25 + 1024 ids).
  await write(["f0", "f1", "f2", "f3", "f4"], [], (id) => `lake ${id}`);
  const live: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const id = `r${i}`;
    await write([id], live.length === 20 ? [live.shift()!] : [], (x) => `tea ${x}`);
    live.push(id);
    if (i % 7 === 0) {
      const want = plain.prepare("tea lake", { stats: stats() });
      const got = cached.prepare("tea lake", { stats: stats() });
      const w = JSON.stringify([want.top(8), [...want.scores(["f1", "r1", id])]]);
      const g = JSON.stringify([got.top(8), [...got.scores(["f1", "r1", id])]]);
      if (w !== g) throw new Error(`after ${i} records:\n got  ${g}\n want ${w}`);
    }
  }
  await db.close();
});

Deno.test("a filter may evaluate another query of the same index without disturbing the first", async () => {
  const db = await openDb();
  const ks = new Keyspace("c");
  const index = new LexicalIndex(db, ks, { cacheBytes: 1 << 20 });
  const { model, word, rng } = await buildCorpus(db, index, 7, 200);
  for (let q = 0; q < 20; q++) {
    const query = makeQuery(rng, word), other = makeQuery(rng, word);
    const inner = index.prepare(other, { stats: model.stats });
    const outer = index.prepare(query, { stats: model.stats });
    const filter = (id: string) =>
      inner.top(3).length >= 0 && inner.scores([id]).size === 1 && !id.endsWith("3");
    assertSameHits(outer.top(10, { filter }), model.search(query, 10, { filter }), `query ${query}`);
    assertSameHits(inner.top(4), model.search(other, 4), `inner query ${other} afterwards`);
  }
  await db.close();
});

Deno.test("a failed write's terms are dropped from the cache, and the cache still agrees with the store", async () => {
  const db = await openDb();
  const ks = new Keyspace("c");
  const plain = new LexicalIndex(db, ks);
  const cached = new LexicalIndex(db, ks, { cacheBytes: 1 << 20 });
  const written = new WriteBatch();
  for (const [id, t] of [["a1", "tea lake"], ["a2", "tea"], ["a3", "lake moss"]]) {
    cached.addDoc(written, id!, t!);
    plain.addDoc(new WriteBatch(), id!, t!);
  }
  await db.write(written);
  cached.settle();
  const stats = { docCount: 3, totalLength: 5 };
  const want = () => JSON.stringify(plain.prepare("tea lake moss", { stats }).top(10));
  const got = () => JSON.stringify(cached.prepare("tea lake moss", { stats }).top(10));
  if (got() !== want()) throw new Error(`before: ${got()} vs ${want()}`);
  // A batch made and never written (its write failed): the cached lists must not take its changes in.
  const lost = new WriteBatch();
  cached.removeDoc(lost, "a1", "tea lake");
  cached.addDoc(lost, "a0", "tea tea moss");
  cached.settle(false);
  if (got() !== want()) throw new Error(`after a failed write: ${got()} vs ${want()}`);
  if (!got().includes("a1") || got().includes("a0")) throw new Error(`lost batch seen: ${got()}`);
  await db.close();
});
