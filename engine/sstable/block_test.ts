import { isCorruption } from "../errors.ts";
import { compareInternal, type InternalEntry, type RecordType } from "../keys.ts";
import { BlockBuilder } from "./block_builder.ts";
import { Block, BlockIter } from "./block_reader.ts";

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sorted entries with shared prefixes, long keys, several versions per key and large seqs and values. */
function randomEntries(n: number, rng: () => number): InternalEntry[] {
  const out: InternalEntry[] = [];
  const seen = new Set<string>();
  while (out.length < n) {
    const len = rng() < 0.1 ? 40 + Math.floor(rng() * 200) : 1 + Math.floor(rng() * 12);
    const key = Uint8Array.from({ length: len }, () => 97 + Math.floor(rng() * 3));
    const versions = 1 + Math.floor(rng() * 4);
    for (let v = 0; v < versions; v++) {
      const seq = rng() < 0.2 ? 2 ** 40 + Math.floor(rng() * 2 ** 40) : Math.floor(rng() * 100_000);
      const id = `${key.join(",")}/${seq}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const type: RecordType = rng() < 0.25 ? 0 : 1;
      const vlen = type === 0 ? 0 : rng() < 0.1 ? 200 + Math.floor(rng() * 300) : Math.floor(rng() * 20);
      out.push({ key, seq, type, value: Uint8Array.from({ length: vlen }, () => Math.floor(rng() * 256)) });
    }
  }
  return out.sort((a, b) => compareInternal(a.key, a.seq, b.key, b.seq));
}

function build(entries: InternalEntry[], interval: number): Block {
  const b = new BlockBuilder(interval);
  for (const e of entries) b.add(e.key, e.seq, e.type, e.value);
  const est = b.estimatedSize();
  const bytes = b.finish().slice();
  if (est !== bytes.length) throw new Error(`estimatedSize() ${est} != finished size ${bytes.length}`);
  return new Block(bytes, { file: "test.sst", offset: 0 });
}

function show(it: BlockIter): string {
  if (!it.valid()) return "(end)";
  return `${it.key().join(",")}@${it.seq()}:${it.type()}:${it.value().join(",")}`;
}
function showEntry(e: InternalEntry | undefined): string {
  return e === undefined ? "(end)" : `${e.key.join(",")}@${e.seq}:${e.type}:${e.value.join(",")}`;
}

Deno.test("BlockIter reads back every entry a BlockBuilder wrote, for several restart intervals", async (t) => {
  const rng = mulberry32(11);
  const entries = randomEntries(600, rng);
  for (const interval of [1, 2, 16, 1000]) {
    await t.step(`restart interval ${interval}`, () => {
      const block = build(entries, interval);
      if (block.numRestarts !== Math.ceil(entries.length / interval)) {
        throw new Error(`${block.numRestarts} restarts`);
      }
      const it = new BlockIter();
      it.init(block);
      let i = 0;
      for (it.seekToFirst(); it.valid(); it.next(), i++) {
        if (show(it) !== showEntry(entries[i])) {
          throw new Error(`entry ${i}: ${show(it)} != ${showEntry(entries[i])}`);
        }
      }
      if (i !== entries.length) throw new Error(`iterated ${i} of ${entries.length}`);
    });
  }
});

Deno.test("BlockIter.seek() lands on the first entry at or after the target", () => {
  const rng = mulberry32(12);
  const entries = randomEntries(500, rng);
  for (const interval of [1, 3, 16]) {
    const it = new BlockIter();
    it.init(build(entries, interval));
    for (let q = 0; q < 2000; q++) {
      const pick = entries[Math.floor(rng() * entries.length)]!;
      const key = rng() < 0.5
        ? pick.key
        : Uint8Array.from({ length: 1 + Math.floor(rng() * 6) }, () => 96 + Math.floor(rng() * 5));
      const seq = rng() < 0.3 ? pick.seq : Math.floor(rng() * 2 ** 41);
      it.seek(key, seq);
      const want = entries.find((e) => compareInternal(e.key, e.seq, key, seq) >= 0);
      if (show(it) !== showEntry(want)) {
        throw new Error(
          `interval ${interval}, seek(${key.join(",")}, ${seq}): ${show(it)} != ${showEntry(want)}`,
        );
      }
      if (
        want !== undefined &&
        (!it.keyEquals(want.key) || !it.valueCopy().every((b, j) => b === want.value[j]))
      ) {
        throw new Error("keyEquals() or valueCopy() disagrees with key() and value()");
      }
    }
  }
});

Deno.test("An empty block has no entries", () => {
  const it = new BlockIter();
  it.init(build([], 16));
  it.seekToFirst();
  if (it.valid()) throw new Error("seekToFirst() found an entry");
  it.seek(new Uint8Array([1]), 5);
  if (it.valid()) throw new Error("seek() found an entry");
});

Deno.test("Block rejects a restart array that does not fit and names the file and offset", async (t) => {
  const cases: [string, number[]][] = [
    ["too short", [1, 0, 0, 0]],
    ["zero restarts", [0, 0, 0, 0, 0, 0, 0, 0]],
    ["too many restarts", [0, 0, 0, 0, 2, 0, 0, 0]],
    ["huge count", [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]],
  ];
  for (const [name, bytes] of cases) {
    await t.step(name, () => {
      try {
        new Block(new Uint8Array(bytes), { file: "/db/000009.sst", offset: 4096 });
      } catch (e) {
        if (isCorruption(e) && e.message.includes('offset 4096 of table "/db/000009.sst"')) return;
        throw e;
      }
      throw new Error(`${name} was accepted`);
    });
  }
});

Deno.test("BlockIter raises only CorruptionError on damaged or random blocks", () => {
  const rng = mulberry32(13);
  const good = build(randomEntries(80, rng), 4).data;
  let corruptions = 0;
  for (let trial = 0; trial < 3000; trial++) {
    let data: Uint8Array;
    if (trial % 3 === 0) {
      data = Uint8Array.from({ length: 8 + Math.floor(rng() * 64) }, () => Math.floor(rng() * 256));
      data.set([1, 0, 0, 0], data.length - 4); // one restart, so that the entries get decoded
      data.set([0, 0, 0, 0], data.length - 8);
    } else {
      data = good.slice();
      for (let f = 0; f < 1 + trial % 4; f++) {
        data[Math.floor(rng() * (data.length - 8))]! ^= 1 << (trial % 8);
      }
    }
    try {
      const it = new BlockIter();
      it.init(new Block(data, { file: "fuzz.sst", offset: 0 }));
      for (it.seekToFirst(); it.valid(); it.next()) it.key();
      it.seek(Uint8Array.of(97, 98), 50_000);
    } catch (e) {
      if (!isCorruption(e)) throw new Error(`trial ${trial} threw a non-corruption error`, { cause: e });
      corruptions++;
    }
  }
  if (corruptions < 100) throw new Error(`only ${corruptions} of 3000 damaged blocks were reported`);
});
