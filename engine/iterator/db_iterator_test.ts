import { isInvalidArgument } from "../errors.ts";
import {
  type InternalEntry,
  type InternalIterator,
  type RecordType,
  TYPE_DELETE,
  TYPE_VALUE,
} from "../keys.ts";
import { compareBytes } from "../util/coding.ts";
import { mulberry32, type Rng } from "../util/rng.ts";
import { ArrayIterator } from "./array_iterator.ts";
import { DbIterator, type DbIteratorOptions } from "./db_iterator.ts";
import { MergingIterator } from "./merging_iterator.ts";

/**
 * Serves its child's entries through one reused buffer, as a block reader may: the arrays returned by
 * `key()` and `value()` are overwritten by the next move.
 */
class ReusingIterator implements InternalIterator {
  readonly #inner: InternalIterator;
  #key = new Uint8Array(16);
  #value = new Uint8Array(16);
  #keyLen = 0;
  #valueLen = 0;
  constructor(inner: InternalIterator) {
    this.#inner = inner;
  }
  #load(): void {
    this.#key.fill(0xee); // scribble, so that a stale view shows garbage
    this.#value.fill(0xee);
    if (!this.#inner.valid()) return;
    const k = this.#inner.key(), v = this.#inner.value();
    if (k.length > this.#key.length) this.#key = new Uint8Array(k.length).fill(0xee);
    if (v.length > this.#value.length) this.#value = new Uint8Array(v.length).fill(0xee);
    this.#key.set(k);
    this.#value.set(v);
    this.#keyLen = k.length;
    this.#valueLen = v.length;
  }
  valid(): boolean {
    return this.#inner.valid();
  }
  seekToFirst(): void {
    this.#inner.seekToFirst();
    this.#load();
  }
  seek(key: Uint8Array, seq?: number): void {
    this.#inner.seek(key, seq);
    this.#load();
  }
  next(): void {
    this.#inner.next();
    this.#load();
  }
  key(): Uint8Array {
    return this.#key.subarray(0, this.#keyLen);
  }
  seq(): number {
    return this.#inner.seq();
  }
  type(): RecordType {
    return this.#inner.type();
  }
  value(): Uint8Array {
    return this.#value.subarray(0, this.#valueLen);
  }
}

const hex = (b: Uint8Array) =>
  b.length === 0 ? "''" : Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const renderPairs = (pairs: [Uint8Array, Uint8Array][]) =>
  pairs.map(([k, v]) => `${hex(k)}=${hex(v)}`).join(" ");

function randomKey(rng: Rng, maxLen = 3): Uint8Array {
  const k = new Uint8Array(Math.floor(rng() * (maxLen + 1)));
  for (let i = 0; i < k.length; i++) k[i] = [0, 1, 2, 0xfe, 0xff][Math.floor(rng() * 5)]!;
  return k;
}

/** What a snapshot read over `entries` must yield, by brute force. */
function model(entries: InternalEntry[], o: DbIteratorOptions): [Uint8Array, Uint8Array][] {
  const newest = new Map<string, InternalEntry>();
  for (const e of entries) {
    const id = hex(e.key), cur = newest.get(id);
    if (e.seq <= o.snapshotSeq && (cur === undefined || e.seq > cur.seq)) newest.set(id, e);
  }
  const startsWith = (k: Uint8Array, p: Uint8Array) => k.length >= p.length && p.every((b, i) => k[i] === b);
  return [...newest.values()]
    .filter((e) =>
      e.type === TYPE_VALUE &&
      (o.gte === undefined || compareBytes(e.key, o.gte) >= 0) &&
      (o.gt === undefined || compareBytes(e.key, o.gt) > 0) &&
      (o.lt === undefined || compareBytes(e.key, o.lt) < 0) &&
      (o.lte === undefined || compareBytes(e.key, o.lte) <= 0) &&
      (o.prefix === undefined || startsWith(e.key, o.prefix))
    )
    .sort((a, b) => compareBytes(a.key, b.key))
    .map((e) => [e.key, e.value]);
}

function randomEntries(rng: Rng, n: number): InternalEntry[] {
  const seen = new Set<string>();
  const out: InternalEntry[] = [];
  for (let i = 0; i < n; i++) {
    const key = randomKey(rng), seq = 1 + Math.floor(rng() * n * 2);
    if (seen.has(`${hex(key)}@${seq}`)) continue;
    seen.add(`${hex(key)}@${seq}`);
    const type: RecordType = rng() < 0.3 ? TYPE_DELETE : TYPE_VALUE;
    out.push({
      key,
      seq,
      type,
      value: type === TYPE_VALUE ? new Uint8Array([i & 0xff, i >> 8]) : new Uint8Array(),
    });
  }
  return out;
}

/** A merge of 1..4 children, some of them reusing their buffers, over a random split of `entries`. */
function innerOver(rng: Rng, entries: InternalEntry[]): InternalIterator {
  const parts: InternalEntry[][] = Array.from({ length: 1 + Math.floor(rng() * 4) }, () => []);
  for (const e of entries) parts[Math.floor(rng() * parts.length)]!.push(e);
  return new MergingIterator(parts.map((p) => {
    const it = ArrayIterator.fromUnsorted(p);
    return rng() < 0.5 ? new ReusingIterator(it) : it;
  }));
}

function describe(o: DbIteratorOptions): string {
  return Object.entries(o).map(([k, v]) => `${k}=${v instanceof Uint8Array ? hex(v) : v}`).join(" ");
}

Deno.test("DbIterator matches a brute-force model over random snapshots, bounds and prefixes", () => {
  const rng = mulberry32(2024);
  for (let trial = 0; trial < 400; trial++) {
    const entries = randomEntries(rng, [5, 60, 400][trial % 3]!);
    const maxSeq = entries.reduce((m, e) => Math.max(m, e.seq), 0);
    const o: DbIteratorOptions = { snapshotSeq: Math.floor(rng() * (maxSeq + 2)) };
    const lower = rng(), upper = rng();
    if (lower < 0.3) o.gte = randomKey(rng);
    else if (lower < 0.6) o.gt = randomKey(rng);
    if (upper < 0.3) o.lt = randomKey(rng);
    else if (upper < 0.6) o.lte = randomKey(rng);
    if (rng() < 0.4) o.prefix = randomKey(rng, 2);
    const want = renderPairs(model(entries, o));
    const where = `trial ${trial}, ${describe(o)}, entries ${entries.length}`;

    // Rendered only after the loop: the pairs must have survived every later move of reusing children.
    const got = renderPairs([...new DbIterator(innerOver(rng, entries), o)]);
    if (got !== want) throw new Error(`${where}:\n got ${got}\nwant ${want}`);

    const it = new DbIterator(innerOver(rng, entries), o);
    for (let i = 0; i < 10; i++) {
      const target = randomKey(rng);
      it.seek(target);
      const seen: [Uint8Array, Uint8Array][] = [];
      for (; it.valid() && seen.length < 3; it.next()) seen.push([it.key(), it.value()]);
      const expect = renderPairs(model(entries, o).filter(([k]) => compareBytes(k, target) >= 0).slice(0, 3));
      if (renderPairs(seen) !== expect) {
        throw new Error(`${where}, seek(${hex(target)}):\n got ${renderPairs(seen)}\nwant ${expect}`);
      }
    }
    it.seekToFirst();
    const manual: [Uint8Array, Uint8Array][] = [];
    for (; it.valid(); it.next()) manual.push([it.key(), it.value()]);
    it.close();
    if (renderPairs(manual) !== want) {
      throw new Error(`${where}, cursor:\n got ${renderPairs(manual)}\nwant ${want}`);
    }
  }
});

Deno.test("DbIterator hides versions newer than the snapshot and keys whose newest visible version is a tombstone", () => {
  const b = (s: string) => new TextEncoder().encode(s);
  const entries: InternalEntry[] = [
    ["a", 1, "a1"],
    ["a", 5, "a5"],
    ["a", 7, null],
    ["b", 2, null],
    ["b", 3, "b3"],
    ["c", 9, "c9"],
    ["d", 4, null],
  ].map(([k, seq, v]) => ({
    key: b(k as string),
    seq: seq as number,
    type: v === null ? TYPE_DELETE : TYPE_VALUE,
    value: b((v ?? "") as string),
  }));
  const text = (pairs: [Uint8Array, Uint8Array][]) =>
    pairs.map(([k, v]) => new TextDecoder().decode(k) + "=" + new TextDecoder().decode(v)).join(" ");
  const got = [0, 2, 4, 6, 8, 9].map((snap) =>
    `@${snap}: ${text([...new DbIterator(ArrayIterator.fromUnsorted(entries), { snapshotSeq: snap })])}`
  );
  const want = ["@0: ", "@2: a=a1", "@4: a=a1 b=b3", "@6: a=a5 b=b3", "@8: b=b3", "@9: b=b3 c=c9"];
  if (got.join("|") !== want.join("|")) throw new Error(`got ${got.join(" | ")}`);
});

Deno.test("DbIterator returns copies that survive changes to the inner arrays", () => {
  const key = new Uint8Array([1, 2]), value = new Uint8Array([3, 4]);
  const it = new DbIterator(new ArrayIterator([{ key, seq: 1, type: TYPE_VALUE, value }]), {
    snapshotSeq: 1,
  });
  const k = it.key(), v = it.value();
  key.fill(9);
  value.fill(9);
  const state = `${hex(k)} ${hex(v)} ${hex(it.key())} ${k === key || v === value}`;
  if (state !== "0102 0304 0102 false") throw new Error(`copies changed: ${state}`);
});

Deno.test("DbIterator keeps every pair it returned intact, for sizes from 0 to 20000 bytes", () => {
  const rng = mulberry32(8);
  const sizes = [0, 1, 7, 255, 256, 300, 1000, 4096, 4097, 5000, 16384, 20000];
  const entries: InternalEntry[] = [];
  for (let i = 0; i < 400; i++) {
    const key = new Uint8Array(2 + sizes[Math.floor(rng() * sizes.length)]!).fill(i & 0xff);
    key[0] = i >> 8; // keys unique and ascending with i
    key[1] = i & 0xff;
    const value = new Uint8Array(sizes[Math.floor(rng() * sizes.length)]!).fill((i * 7) & 0xff);
    entries.push({ key, seq: i + 1, type: TYPE_VALUE, value });
  }
  const want = entries.map((e) => `${hex(e.key)}=${hex(e.value)}`).join(" ");
  const inner = new MergingIterator([
    new ReusingIterator(new ArrayIterator(entries.filter((_, i) => i % 2 === 0))),
    new ArrayIterator(entries.filter((_, i) => i % 2 === 1)),
  ]);
  const pairs = [...new DbIterator(inner, { snapshotSeq: 1000 })];
  const got = pairs.map(([k, v]) => `${hex(k)}=${hex(v)}`).join(" ");
  if (got !== want) {
    throw new Error(`pairs changed after later copies: ${got.length} vs ${want.length} chars`);
  }
});

Deno.test("DbIterator with a prefix stops at the prefix end, even after 0xff bytes", () => {
  const keys = [[0xfe], [0xfe, 0xff], [0xff], [0xff, 0xff, 1], [1], [1, 0xff], [1, 0xff, 0xff], [2], [2, 0]];
  const entries = keys.map((k, i): InternalEntry => ({
    key: new Uint8Array(k),
    seq: i + 1,
    type: TYPE_VALUE,
    value: new Uint8Array([i]),
  }));
  const scan = (prefix: number[], extra: Partial<DbIteratorOptions> = {}) =>
    [
      ...new DbIterator(ArrayIterator.fromUnsorted(entries), {
        snapshotSeq: 99,
        prefix: new Uint8Array(prefix),
        ...extra,
      }),
    ]
      .map(([k]) => hex(k)).join(",");
  const got = [
    scan([0xff]),
    scan([1, 0xff]),
    scan([]),
    scan([0xfe], { gt: new Uint8Array([0xfe]) }),
    scan([1], { lte: new Uint8Array([1, 0xff]) }),
    scan([1], { gte: new Uint8Array([0]), lt: new Uint8Array([9]) }),
  ];
  const want = [
    "ff,ffff01",
    "01ff,01ffff",
    "01,01ff,01ffff,02,0200,fe,feff,ff,ffff01",
    "feff",
    "01,01ff",
    "01,01ff,01ffff",
  ];
  if (got.join(" | ") !== want.join(" | ")) throw new Error(`got ${got.join(" | ")}`);
});

Deno.test("DbIterator calls onClose once: on close(), when for...of ends and when it breaks", async (t) => {
  const entries = randomEntries(mulberry32(3), 50).map((e) => ({ ...e, type: TYPE_VALUE as RecordType }));
  const open = (counter: { n: number }) =>
    new DbIterator(ArrayIterator.fromUnsorted(entries), { snapshotSeq: 1e9, onClose: () => counter.n++ });
  const refusesSeek = (it: DbIterator) => {
    try {
      it.seekToFirst();
    } catch (e) {
      return isInvalidArgument(e);
    }
    return false;
  };
  await t.step("close() twice", () => {
    const c = { n: 0 }, it = open(c);
    const before = c.n;
    it.close();
    it.close();
    if (`${before} ${c.n} ${it.valid()} ${refusesSeek(it)}` !== "0 1 false true") {
      throw new Error(`calls ${c.n}`);
    }
  });
  await t.step("for...of to the end", () => {
    const c = { n: 0 }, it = open(c);
    let count = 0;
    for (const _ of it) count++;
    if (`${count > 1} ${c.n} ${refusesSeek(it)}` !== "true 1 true") {
      throw new Error(`${count} pairs, ${c.n} calls`);
    }
  });
  await t.step("for...of with break", () => {
    const c = { n: 0 }, it = open(c);
    for (const _ of it) break;
    it.close();
    if (c.n !== 1) throw new Error(`onClose ran ${c.n} times`);
  });
});

Deno.test("DbIterator rejects conflicting bounds, bad snapshots and reads off the end", () => {
  const inner = () => new ArrayIterator([]);
  const k = new Uint8Array([1]);
  const attempts: [string, () => unknown][] = [
    ["gt and gte", () => new DbIterator(inner(), { snapshotSeq: 1, gt: k, gte: k })],
    ["lt and lte", () => new DbIterator(inner(), { snapshotSeq: 1, lt: k, lte: k })],
    ["snapshot -1", () => new DbIterator(inner(), { snapshotSeq: -1 })],
    ["snapshot 1.5", () => new DbIterator(inner(), { snapshotSeq: 1.5 })],
    ["key() when empty", () => new DbIterator(inner(), { snapshotSeq: 1 }).key()],
    ["value() when empty", () => new DbIterator(inner(), { snapshotSeq: 1 }).value()],
    ["next() when empty", () => new DbIterator(inner(), { snapshotSeq: 1 }).next()],
  ];
  const failures = attempts.filter(([, f]) => {
    try {
      f();
    } catch (e) {
      return !isInvalidArgument(e);
    }
    return true;
  }).map(([name]) => name);
  if (failures.length > 0) throw new Error(`no InvalidArgumentError for: ${failures.join(", ")}`);
});
