// One suite, run against every Memtable implementation and compared with a brute-force model.
import { isInvalidArgument } from "../errors.ts";
import {
  compareInternal,
  type InternalEntry,
  type InternalIterator,
  type LookupResult,
  MAX_SEQ,
  type RecordType,
  TYPE_DELETE,
  TYPE_VALUE,
} from "../keys.ts";
import { compareBytes } from "../util/coding.ts";
import { mulberry32, type Rng } from "../util/rng.ts";
import { ArrayMemtable } from "./array_memtable.ts";
import type { Memtable } from "./memtable.ts";
import { SkipListMemtable } from "./skiplist_memtable.ts";

type Checked = Memtable & { checkInvariants(): void };
const IMPLS: { name: string; make: (rng: Rng) => Checked }[] = [
  { name: "SkipListMemtable", make: (rng) => new SkipListMemtable({ rng }) },
  // Extreme heights: every node on all 12 levels, and a plain linked list.
  {
    name: "SkipListMemtable with every node at height 12",
    make: () => new SkipListMemtable({ rng: () => 0 }),
  },
  {
    name: "SkipListMemtable with every node at height 1",
    make: () => new SkipListMemtable({ rng: () => 0.9 }),
  },
  { name: "ArrayMemtable", make: () => new ArrayMemtable() },
];

function hex(b: Uint8Array): string {
  return b.length === 0 ? "''" : Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
function show(r: { seq: number; type: RecordType; value: Uint8Array } | undefined): string {
  return r === undefined ? "none" : `${r.seq}:${r.type === TYPE_VALUE ? "set " + hex(r.value) : "del"}`;
}
function sortEntries(entries: InternalEntry[]): InternalEntry[] {
  return entries.slice().sort((a, b) => compareInternal(a.key, a.seq, b.key, b.seq));
}
function modelGet(sorted: InternalEntry[], key: Uint8Array, snap: number): LookupResult | undefined {
  return sorted.find((e) => compareBytes(e.key, key) === 0 && e.seq <= snap);
}
function modelSeek(sorted: InternalEntry[], key: Uint8Array, seq: number): number {
  const i = sorted.findIndex((e) => compareInternal(e.key, e.seq, key, seq) >= 0);
  return i < 0 ? sorted.length : i;
}
function collect(it: InternalIterator, limit = Infinity): InternalEntry[] {
  const out: InternalEntry[] = [];
  for (; it.valid() && out.length < limit; it.next()) {
    out.push({ key: it.key(), seq: it.seq(), type: it.type(), value: it.value() });
  }
  return out;
}
function render(entries: InternalEntry[]): string {
  return entries.map((e) => `${hex(e.key)}@${show(e)}`).join(" ");
}

/** A pool of short keys over few byte values, so that keys share prefixes, repeat, and include ''. */
function keyPool(rng: Rng, n: number): Uint8Array[] {
  const alphabet = [0, 1, 2, 0x7f, 0xff];
  const pool: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const k = new Uint8Array(Math.floor(rng() * 5));
    for (let j = 0; j < k.length; j++) k[j] = alphabet[Math.floor(rng() * alphabet.length)]!;
    pool.push(k);
  }
  return pool;
}

type Mode = "random keys, rising seqs" | "random keys, shuffled seqs" | "ascending keys" | "descending keys";
const MODES: Mode[] = [
  "random keys, rising seqs",
  "random keys, shuffled seqs",
  "ascending keys",
  "descending keys",
];

/** Adds `n` entries to `m` in the given order pattern and returns them. */
function fill(m: Memtable, rng: Rng, mode: Mode, n: number): InternalEntry[] {
  const pool = keyPool(rng, 120);
  const seqs = Array.from({ length: n }, (_, i) => 1 + i * 2); // gaps leave room for absent snapshots
  if (mode === "random keys, shuffled seqs") {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [seqs[i], seqs[j]] = [seqs[j]!, seqs[i]!];
    }
  }
  const entries: InternalEntry[] = [];
  for (let i = 0; i < n; i++) {
    let key: Uint8Array;
    if (mode.startsWith("random")) key = pool[Math.floor(rng() * pool.length)]!;
    else {
      const rank = mode === "ascending keys" ? i : n - i;
      key = new Uint8Array([rank >>> 8, rank & 0xff, 7]);
    }
    const type: RecordType = rng() < 0.3 ? TYPE_DELETE : TYPE_VALUE;
    const value = type === TYPE_DELETE ? new Uint8Array() : new Uint8Array([i & 0xff, (i >>> 8) & 0xff]);
    const e = { key, seq: seqs[i]!, type, value };
    m.add(e.seq, e.type, e.key, e.value);
    entries.push(e);
  }
  return entries;
}

for (const impl of IMPLS) {
  Deno.test(`${impl.name} matches the brute-force model for gets, scans and seeks`, async (t) => {
    for (const [mi, mode] of MODES.entries()) {
      await t.step(mode, () => {
        const rng = mulberry32(1000 + mi);
        const m = impl.make(mulberry32(mi));
        const sorted = sortEntries(fill(m, rng, mode, 1500));
        m.checkInvariants();
        const maxSeq = sorted.reduce((x, e) => Math.max(x, e.seq), 0);
        const payload = sorted.reduce((x, e) => x + e.key.length + e.value.length, 0);
        if (m.count !== sorted.length || m.approximateBytes() < payload) {
          throw new Error(
            `count ${m.count} (want ${sorted.length}), bytes ${m.approximateBytes()} < ${payload}`,
          );
        }

        const scan = render(collect((() => {
          const it = m.iterator();
          it.seekToFirst();
          return it;
        })()));
        if (scan !== render(sorted)) throw new Error(`scan differs:\n got ${scan}\nwant ${render(sorted)}`);

        const probes = [...keyPool(rng, 40), ...sorted.map((e) => e.key)];
        for (let i = 0; i < 3000; i++) {
          const key = probes[Math.floor(rng() * probes.length)]!;
          const snap = i % 10 === 0 ? MAX_SEQ : Math.floor(rng() * (maxSeq + 2));
          const got = m.get(key, snap), want = modelGet(sorted, key, snap);
          if (show(got) !== show(want)) {
            const versions = render(sorted.filter((e) => compareBytes(e.key, key) === 0));
            throw new Error(
              `get(${hex(key)}, ${snap}) = ${show(got)}, want ${show(want)}; versions: ${versions}`,
            );
          }
        }

        const it = m.iterator();
        for (let i = 0; i < 1000; i++) {
          const key = probes[Math.floor(rng() * probes.length)]!;
          const seq = i % 7 === 0 ? MAX_SEQ : Math.floor(rng() * (maxSeq + 2));
          if (i % 5 === 0) it.seek(key);
          else it.seek(key, seq);
          const got = render(collect(it, 4));
          const at = modelSeek(sorted, key, i % 5 === 0 ? MAX_SEQ : seq);
          const want = render(sorted.slice(at, at + 4));
          if (got !== want) {
            throw new Error(`seek(${hex(key)}, ${seq}) then 3 nexts: got ${got}, want ${want}`);
          }
        }
      });
    }
  });

  Deno.test(`${impl.name} keeps earlier iterators sorted and valid while adds happen`, () => {
    const rng = mulberry32(77);
    const m = impl.make(mulberry32(5));
    const first = fill(m, rng, "random keys, rising seqs", 300);
    const a = m.iterator(), b = m.iterator();
    a.seekToFirst();
    b.seek(sortEntries(first)[150]!.key);
    const seenA = collect(a, 100), seenB = collect(b, 10);
    // New versions and new keys, all with seqs above the first batch, land before and after both cursors.
    const later: InternalEntry[] = [];
    for (let i = 0; i < 300; i++) {
      const key = new Uint8Array([Math.floor(rng() * 256), i & 0xff]);
      const e = { key, seq: 10_000 + i, type: TYPE_VALUE as RecordType, value: new Uint8Array([i & 0xff]) };
      m.add(e.seq, e.type, e.key, e.value);
      later.push(e);
      if (i % 30 === 0) seenB.push(...collect(b, 3));
    }
    seenA.push(...collect(a));
    seenB.push(...collect(b));
    m.checkInvariants();
    const all = new Set(render(sortEntries([...first, ...later])).split(" "));
    for (const [name, seen, from] of [["a", seenA, 0], ["b", seenB, 150]] as const) {
      const shown = render(seen).split(" ");
      for (let i = 1; i < seen.length; i++) {
        const p = seen[i - 1]!, c = seen[i]!;
        if (compareInternal(p.key, p.seq, c.key, c.seq) >= 0) {
          throw new Error(`${name} went backwards: ${shown}`);
        }
      }
      const missing = shown.filter((s) => !all.has(s));
      if (missing.length > 0) throw new Error(`${name} produced unknown entries ${missing}`);
      const original = new Set(shown);
      const lost = render(sortEntries(first).slice(from)).split(" ").filter((s) => !original.has(s));
      if (lost.length > 0) throw new Error(`${name} skipped entries that existed before it: ${lost}`);
    }
  });

  Deno.test(`${impl.name} stores empty and long keys that share prefixes`, () => {
    const m = impl.make(mulberry32(2));
    // The first key alone is over twice the skiplist's first key arena; some keys are prefixes of others.
    const keys = [20000, 0, 1, 5000, 5001, 9000].map((n) => new Uint8Array(n).fill(0x61));
    keys.push(new Uint8Array([0x61, 0x62]), new Uint8Array(5000).fill(0x61).fill(0x62, 4999));
    const entries = keys.map((key, i): InternalEntry => ({
      key,
      seq: 100 - i,
      type: TYPE_VALUE,
      value: new Uint8Array([i]),
    }));
    for (const e of entries) m.add(e.seq, e.type, e.key, e.value);
    m.checkInvariants();
    const it = m.iterator();
    it.seekToFirst();
    const got = collect(it).map((e) => `${e.key.length}:${e.value[0]}`).join(" ");
    const want = sortEntries(entries).map((e) => `${e.key.length}:${e.value[0]}`).join(" ");
    const gets = keys.map((k) => m.get(k, MAX_SEQ)?.value[0]).join(",");
    if (got !== want || gets !== "0,1,2,3,4,5,6,7") {
      throw new Error(`scan ${got}, want ${want}; gets ${gets}`);
    }
  });

  Deno.test(`${impl.name} rejects bad seqs and duplicate versions without changing state`, () => {
    const m = impl.make(mulberry32(1));
    const k = new Uint8Array([1]);
    const it = m.iterator();
    it.seekToFirst();
    if (it.valid() || m.get(k, MAX_SEQ) !== undefined || m.count > 0) {
      throw new Error("empty memtable has data");
    }
    m.add(4, TYPE_VALUE, k, new Uint8Array([9]));
    m.add(6, TYPE_VALUE, k, new Uint8Array([8]));
    // Seq 4 again right after inserting its predecessor (6), and again after a failed add.
    for (const seq of [4, 6, 4, -1, 1.5, NaN, 2 ** 53]) {
      let err: unknown;
      try {
        m.add(seq, TYPE_DELETE, k, new Uint8Array());
      } catch (e) {
        err = e;
      }
      if (!isInvalidArgument(err)) {
        throw new Error(`add(seq ${seq}) did not throw InvalidArgumentError: ${err}`);
      }
    }
    m.checkInvariants();
    const state = `count ${m.count}, ${show(m.get(k, 4))}, ${show(m.get(k, 6))}`;
    if (state !== "count 2, 4:set 09, 6:set 08") throw new Error(`state changed: ${state}`);
    const fresh = m.iterator();
    let err: unknown;
    try {
      fresh.next();
    } catch (e) {
      err = e;
    }
    if (!isInvalidArgument(err)) throw new Error(`next() on an unpositioned iterator did not throw: ${err}`);
  });
}
