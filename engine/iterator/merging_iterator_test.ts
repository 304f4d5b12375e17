import { isInvalidArgument } from "../errors.ts";
import {
  compareInternal,
  type InternalEntry,
  type InternalIterator,
  MAX_SEQ,
  type RecordType,
  TYPE_DELETE,
  TYPE_VALUE,
} from "../keys.ts";
import { SkipListMemtable } from "../memtable/skiplist_memtable.ts";
import { mulberry32, type Rng } from "../util/rng.ts";
import { ArrayIterator } from "./array_iterator.ts";
import { MergingIterator } from "./merging_iterator.ts";

function hex(b: Uint8Array): string {
  return b.length === 0 ? "''" : Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
function render(entries: InternalEntry[]): string {
  return entries.map((e) => `${hex(e.key)}@${e.seq}${e.type === TYPE_VALUE ? "=" + hex(e.value) : "x"}`).join(
    " ",
  );
}
function collect(it: InternalIterator, limit = Infinity): InternalEntry[] {
  const out: InternalEntry[] = [];
  for (; it.valid() && out.length < limit; it.next()) {
    out.push({ key: it.key(), seq: it.seq(), type: it.type(), value: it.value() });
  }
  return out;
}
function randomKey(rng: Rng): Uint8Array {
  const k = new Uint8Array(Math.floor(rng() * 4));
  for (let i = 0; i < k.length; i++) k[i] = [0, 1, 2, 0xff][Math.floor(rng() * 4)]!;
  return k;
}

/**
 * Random children whose entries carry their child index in the value. With `dupRate` > 0 some entries are
 * copied into a second child with the same (key, seq), which the merge must order by child index.
 */
function makeChildren(rng: Rng, n: number, size: number, dupRate: number): InternalEntry[][] {
  const children: InternalEntry[][] = Array.from({ length: n }, () => []);
  const held = Array.from({ length: n }, () => new Set<string>());
  for (let i = 0; i < size; i++) {
    const key = randomKey(rng), seq = 1 + Math.floor(rng() * 1_000_000);
    const type: RecordType = rng() < 0.2 ? TYPE_DELETE : TYPE_VALUE;
    const owners = [Math.floor(rng() * n)];
    if (n > 1 && rng() < dupRate) owners.push((owners[0]! + 1 + Math.floor(rng() * (n - 1))) % n);
    for (const c of owners) {
      const id = `${hex(key)}@${seq}`;
      if (held[c]!.has(id)) continue;
      held[c]!.add(id);
      children[c]!.push({ key, seq, type, value: new Uint8Array([c, i & 0xff]) });
    }
  }
  return children.map((c) => c.sort((a, b) => compareInternal(a.key, a.seq, b.key, b.seq)));
}

/** The expected merge: a stable sort of the children concatenated in index order. */
function model(children: InternalEntry[][]): InternalEntry[] {
  return children.flat().sort((a, b) => compareInternal(a.key, a.seq, b.key, b.seq));
}

Deno.test("MergingIterator yields the sorted union of 1 to 8 children and seeks like a sorted array", async (t) => {
  for (let n = 1; n <= 8; n++) {
    await t.step(`${n} children`, () => {
      const rng = mulberry32(n * 31);
      for (let trial = 0; trial < 5; trial++) {
        // Sizes from tiny (children often empty) to large; some (key, seq) pairs in two children.
        const children = makeChildren(rng, n, [0, 3, 20, 300, 2000][trial]!, trial % 2 === 0 ? 0 : 0.2);
        const want = model(children);
        const it = new MergingIterator(children.map((c) => new ArrayIterator(c)));
        if (it.valid()) throw new Error("a new merging iterator is positioned");
        it.seekToFirst();
        const got = render(collect(it));
        if (got !== render(want)) throw new Error(`trial ${trial} scan:\n got ${got}\nwant ${render(want)}`);
        for (let i = 0; i < 300; i++) {
          const key = randomKey(rng), seq = i % 4 === 0 ? MAX_SEQ : Math.floor(rng() * 1_000_002);
          if (seq === MAX_SEQ) it.seek(key);
          else it.seek(key, seq);
          const at = want.findIndex((e) => compareInternal(e.key, e.seq, key, seq) >= 0);
          const expect = render(at < 0 ? [] : want.slice(at, at + 5));
          const seen = render(collect(it, 5));
          if (seen !== expect) throw new Error(`seek(${hex(key)}, ${seq}):\n got ${seen}\nwant ${expect}`);
        }
      }
    });
  }
});

Deno.test("MergingIterator puts the lower child index first when children share a (key, seq)", () => {
  const k = new Uint8Array([5]);
  const entry = (c: number, seq: number): InternalEntry => ({
    key: k,
    seq,
    type: TYPE_VALUE,
    value: new Uint8Array([c]),
  });
  // Child 2 and child 0 hold seq 7; child 1 holds the newer seq 9 that must still come first.
  const it = new MergingIterator([
    new ArrayIterator([entry(0, 7)]),
    new ArrayIterator([entry(1, 9)]),
    new ArrayIterator([entry(2, 7), entry(2, 3)]),
  ]);
  it.seekToFirst();
  const got = collect(it).map((e) => `${e.seq}/child${e.value[0]}`).join(" ");
  if (got !== "9/child1 7/child0 7/child2 3/child2") throw new Error(`got ${got}`);
});

Deno.test("MergingIterator merges memtable iterators with array iterators", () => {
  const rng = mulberry32(9);
  const [a, b, c] = makeChildren(rng, 3, 1500, 0) as [InternalEntry[], InternalEntry[], InternalEntry[]];
  const m1 = new SkipListMemtable({ rng }), m2 = new SkipListMemtable({ rng });
  for (const e of a) m1.add(e.seq, e.type, e.key, e.value);
  for (const e of b) m2.add(e.seq, e.type, e.key, e.value);
  const it = new MergingIterator([m1.iterator(), new ArrayIterator(c), m2.iterator()]);
  it.seekToFirst();
  const got = render(collect(it)), want = render(model([a, c, b]));
  if (got !== want) throw new Error(`got ${got}\nwant ${want}`);
});

Deno.test("MergingIterator without children is never valid and refuses next()", () => {
  const it = new MergingIterator([]);
  it.seekToFirst();
  const afterFirst = it.valid();
  it.seek(new Uint8Array([1]));
  if (afterFirst || it.valid()) throw new Error("an empty merge became valid");
  let err: unknown;
  try {
    it.next();
  } catch (e) {
    err = e;
  }
  if (!isInvalidArgument(err)) throw new Error(`next() on an invalid merge did not throw: ${err}`);
});
