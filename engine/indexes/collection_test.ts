import { MemFs } from "../fs/mem_fs.ts";
import { mulberry32, type Rng } from "../util/rng.ts";
import type { Collection } from "./collection.ts";
import { IndexedStore } from "./indexed_store.ts";
import { Keyspace, SPACE } from "./keyspace.ts";
import { encodePosting } from "./lexical_index.ts";
import { splitWords, tokenize, TOKENIZER_VERSION } from "./tokenizer.ts";
import { WriteBatch } from "../write_batch.ts";

const WORDS =
  "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa"
    .split(" ");
const DIM = 8;

interface ModelRec {
  id: string;
  eventTime: number;
  recordTime: number;
  text: string;
  vector: Float32Array;
}

function randomRec(rng: Rng, id: string, step: number): ModelRec {
  const n = 2 + Math.floor(rng() * 6);
  const text = Array.from({ length: n }, () => WORDS[Math.floor(rng() * WORDS.length)]!).join(" ");
  const vector = new Float32Array(DIM).map(() => rng() * 2 - 1);
  return { id, eventTime: Math.floor(rng() * 1000) - 200, recordTime: step, text, vector };
}

function cosine(a: Float32Array, b: Float32Array): number {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return d / Math.sqrt(na * nb);
}

/** Checks every index of `c` against the model; returns a description of every disagreement. */
function audit(store: IndexedStore, c: Collection, model: Map<string, ModelRec>, rng: Rng): string[] {
  const bad: string[] = [];
  for (const m of model.values()) {
    const r = c.get(m.id);
    if (!r || r.text !== m.text || r.eventTime !== m.eventTime) {
      bad.push(`get ${m.id}: ${JSON.stringify(r?.text)}`);
    }
  }
  // Every index key must point at a live record with matching content: no ghosts.
  const ks = new Keyspace(c.name);
  for (const [k] of store.engine.iterator({ prefix: ks.space(SPACE.eventTime) })) {
    const t = ks.parseTime(k);
    if (model.get(t.id)?.eventTime !== t.ms) bad.push(`ghost time entry ${t.id}@${t.ms}`);
  }
  for (const [k] of store.engine.iterator({ prefix: ks.space(SPACE.posting) })) {
    const s = new TextDecoder().decode(k.subarray(ks.prefix.length + 1));
    const [term, id] = s.split("\0") as [string, string];
    const m = model.get(id);
    if (!m || !tokenize(m.text).includes(term)) bad.push(`ghost posting ${term}/${id}`);
  }
  if (c.count !== model.size) bad.push(`count ${c.count} != ${model.size}`);
  for (let q = 0; q < 10; q++) {
    const from = Math.floor(rng() * 1200) - 300;
    const to = from + Math.floor(rng() * 400);
    const want = [...model.values()].filter((m) => m.eventTime >= from && m.eventTime < to).map((m) => m.id)
      .sort();
    const got = c.timeRange({ from, to }).map((x) => x.id).sort();
    if (want.join() !== got.join()) bad.push(`timeRange [${from},${to}): want ${want} got ${got}`);

    const word = WORDS[Math.floor(rng() * WORDS.length)]!;
    const hits = c.bm25(word, 1000).map((h) => h.id).sort();
    const term = tokenize(word)[0]!; // the index stems the query like the records
    const wantHits = [...model.values()].filter((m) => tokenize(m.text).includes(term)).map((m) => m.id)
      .sort();
    if (hits.join() !== wantHits.join()) bad.push(`bm25 ${word}: want ${wantHits} got ${hits}`);

    const query = new Float32Array(DIM).map(() => rng() * 2 - 1);
    const exact = [...model.values()].map((m) => ({ id: m.id, s: cosine(query, m.vector) }))
      .sort((a, b) => b.s - a.s || (a.id < b.id ? -1 : 1)).slice(0, 5).map((x) => x.id);
    const knn = c.knn(query, 5).map((x) => x.id);
    if (exact.join() !== knn.join()) bad.push(`knn: want ${exact} got ${knn}`);
  }
  return bad;
}

Deno.test("a collection's record, time, lexical and vector indexes agree with a model across replaces, deletes, reopens and compactions", async () => {
  const rng = mulberry32(42);
  const fs = new MemFs();
  const open = async () => {
    const s = await IndexedStore.open("/db", { fs, memtableBytes: 16 << 10, l0CompactionTrigger: 2 });
    return { s, c: await s.collection("notes", { dim: DIM, exact: true }) };
  };
  let { s, c } = await open();
  const model = new Map<string, ModelRec>();
  for (let step = 0; step < 600; step++) {
    const r = rng();
    if (r < 0.6) {
      const batch: ModelRec[] = [];
      const ids = new Set<string>();
      for (let i = 0; i < 1 + Math.floor(rng() * 4); i++) ids.add(`m${Math.floor(rng() * 120)}`);
      for (const id of ids) batch.push(randomRec(rng, id, step));
      await c.put(batch.map((m) => ({ ...m, payload: new TextEncoder().encode(m.id) })));
      for (const m of batch) model.set(m.id, m);
    } else if (r < 0.85) {
      const id = `m${Math.floor(rng() * 120)}`;
      const n = await c.delete([id]);
      if (n !== (model.has(id) ? 1 : 0)) throw new Error(`delete ${id} returned ${n}`);
      model.delete(id);
    } else if (r < 0.9) {
      await s.close();
      ({ s, c } = await open());
    } else if (r < 0.93) {
      await s.engine.compact();
    }
    if (step % 100 === 99) {
      const bad = audit(s, c, model, rng);
      if (bad.length) throw new Error(`step ${step}:\n${bad.slice(0, 15).join("\n")}`);
    }
  }
  await s.close();
});

Deno.test("HNSW collections never return deleted or replaced vectors, before and after reopen", async () => {
  const fs = new MemFs();
  let s = await IndexedStore.open("/db", { fs });
  let c = await s.collection("v", { dim: 4 });
  const v = (x: number) => new Float32Array([x, 1, 0, 0]);
  const base = { recordTime: 0, eventTime: 0, payload: new Uint8Array() };
  await c.put([{ id: "a", vector: v(1), ...base }, { id: "b", vector: v(2), ...base }, {
    id: "c",
    vector: v(3),
    ...base,
  }]);
  await c.delete(["b"]);
  await c.put([{ id: "c", vector: new Float32Array([-1, 0, 0, 0]), ...base }]);
  const check = (when: string) => {
    const got = c.knn(new Float32Array([2, 1, 0, 0]), 3).map((h) => h.id);
    if (got.join() !== "a,c") throw new Error(`${when}: got ${got}`);
  };
  check("before reopen");
  await s.close();
  s = await IndexedStore.open("/db", { fs });
  c = await s.collection("v");
  check(`after reopen (${c.vectorSource})`);
  await s.engine.compact();
  check("after compaction");
  await s.close();
});

Deno.test("knn with a time window returns k results whenever k records fall in the window", async () => {
  const s = await IndexedStore.open("/db", { fs: new MemFs() });
  const c = await s.collection("w", { dim: 4 });
  const rng = mulberry32(3);
  const recs = Array.from({ length: 500 }, (_, i) => ({
    id: `r${i}`,
    eventTime: i,
    recordTime: i,
    vector: new Float32Array(4).map(() => rng() - 0.5),
    payload: new Uint8Array(),
  }));
  await c.put(recs);
  const got = c.knn(new Float32Array([1, 0, 0, 0]), 10, { window: { from: 100, to: 110 } });
  const ids = got.map((g) => Number(g.id.slice(1))).sort((a, b) => a - b);
  if (ids.join() !== "100,101,102,103,104,105,106,107,108,109") throw new Error(`got ${ids}`);
  await s.close();
});

Deno.test("collections are isolated: no index of one returns another's records", async () => {
  const s = await IndexedStore.open("/db", { fs: new MemFs() });
  const a = await s.collection("tenant-a", { dim: 2 });
  const b = await s.collection("tenant-b", { dim: 2 });
  const rec = {
    id: "x",
    eventTime: 5,
    recordTime: 5,
    text: "secret plans",
    vector: new Float32Array([1, 0]),
  };
  await a.put([{ ...rec, payload: new Uint8Array([1]) }]);
  const q = b.query({ k: 5, text: "secret", vector: new Float32Array([1, 0]), window: { from: 0, to: 10 } });
  if (q.lexical.length || q.vector.length || q.time.length || b.get("x")) throw new Error(JSON.stringify(q));
  const qa = a.query({ k: 5, text: "secret", vector: new Float32Array([1, 0]), window: { from: 0, to: 10 } });
  if (qa.lexical.length !== 1 || qa.vector.length !== 1 || qa.time.length !== 1) {
    throw new Error(JSON.stringify(qa));
  }
  if (s.collections().join() !== "tenant-a,tenant-b") throw new Error(`collections ${s.collections()}`);
  await s.close();
});

Deno.test("the HNSW sidecar is reused on reopen, caught up from the change log, and rebuilt when damaged", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const vec = (i: number) => new Float32Array([Math.cos(i), Math.sin(i), 0.1, 0.2]);
    const rec = (i: number) => ({
      id: `r${i}`,
      eventTime: i,
      recordTime: i,
      vector: vec(i),
      payload: new Uint8Array(),
    });
    let s = await IndexedStore.open(dir);
    let c = await s.collection("v", { dim: 4 });
    await c.put(Array.from({ length: 100 }, (_, i) => rec(i)));
    await c.persistVectors();
    await c.put(Array.from({ length: 20 }, (_, i) => rec(100 + i)));
    await c.delete(["r5", "r101"]);
    await s.engine.close(); // a crash as far as the sidecar is concerned: it is not saved again
    s = await IndexedStore.open(dir);
    c = await s.collection("v");
    if (c.vectorSource !== "sidecar") throw new Error(`expected the sidecar, got ${c.vectorSource}`);
    const top = (i: number) => c.knn(vec(i), 1)[0]?.id;
    if (top(110) !== "r110" || top(5) === "r5" || top(101) === "r101" || c.stats().vectors !== 118) {
      throw new Error(`after catch-up: ${top(110)} ${top(5)} ${top(101)} ${c.stats().vectors}`);
    }
    await s.close();
    const file = `${dir}/vectors/${[..."v"].map((ch) => ch.charCodeAt(0).toString(16)).join("")}.hnsw`;
    const bytes = Deno.readFileSync(file);
    bytes[bytes.length >> 1]! ^= 0xff;
    Deno.writeFileSync(file, bytes);
    s = await IndexedStore.open(dir);
    c = await s.collection("v");
    if (!c.vectorSource.startsWith("rebuilt")) throw new Error(`expected a rebuild, got ${c.vectorSource}`);
    if (top(110) !== "r110" || c.stats().vectors !== 118) throw new Error("rebuilt index is wrong");
    await s.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("bad records are refused with a clear error and nothing is written", async () => {
  const s = await IndexedStore.open("/db", { fs: new MemFs() });
  const c = await s.collection("v", { dim: 2 });
  const ok = { id: "ok", eventTime: 1, recordTime: 1, payload: new Uint8Array() };
  const cases: [string, unknown][] = [
    ["dimension", { ...ok, id: "x", vector: new Float32Array(3) }],
    ["non-finite", { ...ok, id: "x", vector: new Float32Array([NaN, 1]) }],
    ["eventTime", { ...ok, id: "x", eventTime: Infinity }],
    ["without NUL", { ...ok, id: "a\0b" }],
  ];
  for (const [want, bad] of cases) {
    let msg = "";
    try {
      await c.put([ok, bad as typeof ok]);
    } catch (e) {
      msg = (e as Error).message;
    }
    if (!msg.includes(want)) {
      throw new Error(`expected an error mentioning ${want}, got ${JSON.stringify(msg)}`);
    }
  }
  if (c.count !== 0 || c.get("ok")) throw new Error("a refused batch wrote something");
  await s.close();
});

Deno.test("a collection indexed by an older tokenizer gets its postings rebuilt on open", async () => {
  const fs = new MemFs();
  let s = await IndexedStore.open("/db", { fs });
  let c = await s.collection("notes");
  const texts: Record<string, string> = {
    a: "She researched adoption agencies",
    b: "painting sunsets at the lake",
    c: "the of and",
  };
  await c.put(
    Object.entries(texts).map(([id, text], i) => ({
      id,
      eventTime: i,
      recordTime: i,
      text,
      payload: new Uint8Array(),
    })),
  );
  // Turn it into what tokenizer 1 wrote: unstemmed postings and a meta without "tokenizer".
  const ks = new Keyspace("notes");
  const old = new WriteBatch();
  for (const [k] of s.engine.iterator({ prefix: ks.space(SPACE.posting) })) old.delete(k);
  for (const [id, text] of Object.entries(texts)) {
    const words = splitWords(text);
    for (const w of new Set(words)) {
      old.put(ks.posting(w, id), encodePosting(words.filter((x) => x === w).length, words.length));
    }
  }
  const meta = JSON.parse(new TextDecoder().decode(s.engine.get(ks.meta())!));
  delete meta.tokenizer;
  old.put(ks.meta(), new TextEncoder().encode(JSON.stringify(meta)));
  await s.engine.write(old);
  await s.close();

  s = await IndexedStore.open("/db", { fs });
  c = await s.collection("notes");
  const postings = [...s.engine.iterator({ prefix: ks.space(SPACE.posting) })]
    .map(([k]) => new TextDecoder().decode(k.subarray(ks.prefix.length + 1)).replace("\0", "/")).sort();
  const want = Object.entries(texts).flatMap(([id, text]) =>
    [...new Set(tokenize(text))].map((t) => `${t}/${id}`)
  )
    .sort();
  const newMeta = JSON.parse(new TextDecoder().decode(s.engine.get(ks.meta())!));
  const hits = c.bm25("research painted", 5).map((h) => h.id).sort().join();
  const state = JSON.stringify({ source: c.lexicalSource, postings, meta: newMeta, hits });
  if (
    c.lexicalSource !== `reindexed: tokenizer 1 to ${TOKENIZER_VERSION}, 3 records` ||
    postings.join() !== want.join() || newMeta.tokenizer !== TOKENIZER_VERSION || newMeta.docCount !== 3 ||
    newMeta.totalLength !== meta.totalLength || hits !== "a,b"
  ) {
    throw new Error(state);
  }
  await s.close();
  s = await IndexedStore.open("/db", { fs });
  c = await s.collection("notes");
  if (c.lexicalSource !== "current") throw new Error(`reindexed twice: ${c.lexicalSource}`);
  await s.close();
});

Deno.test("write() deletes and stores in one batch with extra operations, and bm25Scores() matches bm25()", async () => {
  const s = await IndexedStore.open("/db", { fs: new MemFs() });
  const c = await s.collection("v", { dim: 2 });
  const rec = (id: string, text: string) => ({
    id,
    eventTime: 1,
    recordTime: 1,
    text,
    vector: new Float32Array([1, id.length]),
    payload: new Uint8Array(),
  });
  await c.put([rec("a", "red apples"), rec("b", "green apples and pears"), rec("c", "pears")]);
  const extra = new WriteBatch().put(new Uint8Array([0x7e, 1]), new Uint8Array([1]));
  const r = await c.write({ delete: ["a", "zz"], put: [rec("d", "apple pie")] }, { extra });
  const state = JSON.stringify({
    r,
    count: c.count,
    a: c.get("a") !== undefined,
    d: c.get("d")?.text,
    extra: s.engine.get(new Uint8Array([0x7e, 1])) !== undefined,
    hits: c.bm25("apples", 10),
    vectors: c.stats().vectors,
  });
  if (
    r.deleted !== 1 || c.count !== 3 || c.get("a") || c.get("d")?.text !== "apple pie" ||
    !s.engine.get(new Uint8Array([0x7e, 1])) ||
    c.bm25("apples", 10).map((h) => h.id).sort().join() !== "b,d" ||
    c.stats().vectors !== 3
  ) {
    throw new Error(state);
  }
  const scores = c.bm25Scores("apples pears", ["b", "c", "d", "a"]);
  for (const h of c.bm25("apples pears", 10)) {
    if (scores.get(h.id) !== h.score) throw new Error(`${h.id}: ${scores.get(h.id)} vs ${h.score}`);
  }
  if (scores.get("a") !== 0) throw new Error(`a deleted record scores ${scores.get("a")}`);
  let msg = "";
  try {
    await c.write({ delete: ["b"], put: [rec("b", "x")] });
  } catch (e) {
    msg = (e as Error).message;
  }
  if (!msg.includes("both deleted and stored") || !c.get("b")) throw new Error(`got ${JSON.stringify(msg)}`);
  await s.close();
});

Deno.test("the record cache never serves a replaced or deleted record, even while the write is in flight", async () => {
  const s = await IndexedStore.open("/db", { fs: new MemFs() });
  const c = await s.collection("v", { dim: 2 });
  const ks = new Keyspace("v");
  const rec = (id: string, text: string) => ({
    id,
    eventTime: 1,
    recordTime: 1,
    text,
    vector: new Float32Array([1, text.length]),
    payload: new TextEncoder().encode(text),
  });
  await c.put([rec("a", "old a"), rec("b", "old b")]);
  // What the store itself holds now, and what the collection says; they must always agree.
  const truth = (id: string) => {
    const v = s.engine.get(ks.record(id));
    return v && new TextDecoder().decode(v).includes("new") ? "new" : v ? "old" : "none";
  };
  const said = (id: string) => {
    const view = c.view(id), got = c.get(id);
    const t = view?.text();
    if (t !== got?.text || view?.vectorView()?.[1] !== got?.vector?.[1]) {
      throw new Error(`${id}: view ${t} and get ${got?.text} differ`);
    }
    return t === undefined ? "none" : t.startsWith("new") ? "new" : "old";
  };
  const seen: string[] = [];
  const check = (when: string) => {
    const got = `${said("a")} ${said("b")} ${said("c")}`, want = `${truth("a")} ${truth("b")} ${truth("c")}`;
    if (got !== want) throw new Error(`${when}: the collection says ${got}, the store ${want}`);
    if (seen.at(-1) !== got) seen.push(got);
  };
  check("before"); // reads, and caches, the old records
  const snap = s.engine.snapshot();
  let done = false;
  const write = c.write({ put: [rec("a", "new a"), rec("c", "new c")], delete: ["b"] }).then(() =>
    done = true
  );
  for (let tick = 0; !done && tick < 10_000; tick++) {
    check(`tick ${tick}`);
    await Promise.resolve();
  }
  await write;
  check("after");
  const old = c.view("a", { snapshot: snap })?.text();
  snap.release();
  if (seen.join(" | ") !== "old old none | new none new" || old !== "old a") {
    throw new Error(`states ${JSON.stringify(seen)}, snapshot read ${old}`);
  }
  await s.close();
});
