import { isCorruption, isNotSupported } from "../errors.ts";
import type { Fs } from "../fs/fs.ts";
import { MemFs } from "../fs/mem_fs.ts";
import { RealFs } from "../fs/real_fs.ts";
import {
  compareInternal,
  type InternalEntry,
  type InternalIterator,
  MAX_SEQ,
  type RecordType,
} from "../keys.ts";
import { writeU32 } from "../util/coding.ts";
import { crc32c, maskCrc } from "../util/crc32c.ts";
import { BlockCache } from "./block_cache.ts";
import type { SSTableReaderOptions, SSTableWriterOptions } from "./sstable_format.ts";
import { SSTableReader } from "./sstable_reader.ts";
import { SSTableWriter } from "./sstable_writer.ts";

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const str = (k: Uint8Array) => Array.from(k, (b) => String.fromCharCode(b)).join("");
const show = (r: { seq: number; type: number; value: Uint8Array } | undefined) =>
  r === undefined ? "none" : `${r.seq}:${r.type}:${r.value.join(",")}`;
const showAt = (it: InternalIterator) =>
  it.valid() ? `${str(it.key())}@${show({ seq: it.seq(), type: it.type(), value: it.value() })}` : "(end)";
const showEntry = (e: InternalEntry | undefined) => e === undefined ? "(end)" : `${str(e.key)}@${show(e)}`;
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
/** Whether the iterator is on `e` (cheap; strings are built only for messages). */
const isAt = (it: InternalIterator, e: InternalEntry | undefined) =>
  e === undefined ? !it.valid() : it.valid() && it.seq() === e.seq && it.type() === e.type &&
    sameBytes(it.key(), e.key) && sameBytes(it.value(), e.value);

/** A table's worth of entries plus a brute-force model: per user key, versions newest first. */
class Model {
  readonly entries: InternalEntry[];
  readonly keys: Uint8Array[];
  readonly #versions = new Map<string, InternalEntry[]>();
  constructor(entries: InternalEntry[]) {
    this.entries = entries.sort((a, b) => compareInternal(a.key, a.seq, b.key, b.seq));
    for (const e of this.entries) {
      const list = this.#versions.get(str(e.key)) ?? [];
      list.push(e);
      this.#versions.set(str(e.key), list);
    }
    this.keys = [...this.#versions.values()].map((l) => l[0]!.key);
  }
  get(key: Uint8Array, snapshot: number): InternalEntry | undefined {
    return this.#versions.get(str(key))?.find((e) => e.seq <= snapshot);
  }
  /** The first entry at or after (key, seq): binary search over the sorted entries. */
  seek(key: Uint8Array, seq: number): InternalEntry | undefined {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.entries[mid]!;
      if (compareInternal(e.key, e.seq, key, seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    return this.entries[lo];
  }
}

/** `n` entries over about n/3 user keys with shared prefixes, unique seqs (some above 2^32), 20% tombstones. */
function randomModel(n: number, rng: () => number): Model {
  const pool: Uint8Array[] = [];
  for (let i = 0; i < Math.ceil(n / 3); i++) {
    pool.push(Uint8Array.from({ length: 1 + Math.floor(rng() * 24) }, () => 97 + Math.floor(rng() * 4)));
  }
  const seqs = new Set<number>();
  const entries: InternalEntry[] = [];
  const used = new Set<string>();
  while (entries.length < n) {
    const seq = rng() < 0.1 ? 2 ** 33 + Math.floor(rng() * 1e6) : 1 + Math.floor(rng() * n * 10);
    const key = pool[Math.floor(rng() * pool.length)]!;
    if (seqs.has(seq)) continue;
    seqs.add(seq);
    used.add(str(key));
    const type: RecordType = rng() < 0.2 ? 0 : 1;
    const vlen = type === 0 ? 0 : rng() < 0.05 ? 300 : Math.floor(rng() * 40);
    entries.push({ key, seq, type, value: Uint8Array.from({ length: vlen }, () => Math.floor(rng() * 256)) });
  }
  return new Model(entries);
}

async function writeTable(fs: Fs, path: string, model: Model, options: SSTableWriterOptions = {}) {
  const w = new SSTableWriter(fs.openWritable(path), options);
  for (const e of model.entries) w.add(e.key, e.seq, e.type, e.value);
  return await w.finish();
}

function open(fs: Fs, path: string, options: Partial<SSTableReaderOptions> = {}): SSTableReader {
  return SSTableReader.open(fs.openRandom(path), { fileNumber: 1, ...options });
}

/** Queries the table like the model; returns the mismatches (empty when all agree). */
function compare(r: SSTableReader, model: Model, rng: () => number, queries: number): string[] {
  const bad: string[] = [];
  const it = r.iterator();
  let i = 0;
  for (it.seekToFirst(); it.valid(); it.next(), i++) {
    if (showAt(it) !== showEntry(model.entries[i])) {
      bad.push(`entry ${i}: ${showAt(it)} != ${showEntry(model.entries[i])}`);
    }
  }
  if (i !== model.entries.length) bad.push(`iterated ${i} of ${model.entries.length} entries`);
  for (let q = 0; q < queries && bad.length < 10; q++) {
    const pick = model.entries[Math.floor(rng() * model.entries.length)]!;
    const key = rng() < 0.8
      ? pick.key
      : Uint8Array.from({ length: 1 + Math.floor(rng() * 5) }, () => 96 + Math.floor(rng() * 6));
    const snaps = [MAX_SEQ, pick.seq, pick.seq - 1, 0, Math.floor(rng() * 2 ** 34)];
    const snap = snaps[Math.floor(rng() * snaps.length)]!;
    const got = show(r.get(key, snap));
    const want = show(model.get(key, snap));
    if (got !== want) bad.push(`get(${str(key)}, ${snap}): ${got} != ${want}`);
    it.seek(key, snap);
    if (!isAt(it, model.seek(key, snap))) {
      bad.push(`seek(${str(key)}, ${snap}): ${showAt(it)} != ${showEntry(model.seek(key, snap))}`);
    }
  }
  for (const k of model.keys) if (!r.mayContain(k)) bad.push(`bloom false negative for ${str(k)}`);
  return bad;
}

Deno.test("SSTableReader round-trips 10k random entries: get, iteration and seek match a brute-force model", async (t) => {
  const model = randomModel(10_000, mulberry32(21));
  const configs: [string, SSTableWriterOptions, BlockCache | undefined][] = [
    ["defaults", {}, undefined],
    ["defaults with a block cache", {}, new BlockCache(1 << 20)],
    ["256-byte blocks, restarts every 4", { blockSize: 256, restartInterval: 4 }, new BlockCache(8 << 10)],
    ["64 KiB blocks, no prefix compression", { blockSize: 65536, restartInterval: 1 }, undefined],
    ["no bloom filter", { bloomBitsPerKey: 0 }, undefined],
  ];
  for (const [name, options, cache] of configs) {
    await t.step(name, async () => {
      const fs = new MemFs();
      const meta = await writeTable(fs, "/000001.sst", model, options);
      const r = open(fs, "/000001.sst", cache ? { cache } : {});
      const p = r.properties();
      const want = model.entries;
      if (
        p.entries !== want.length || p.size !== meta.size || p.minSeq !== meta.minSeq ||
        p.maxSeq !== meta.maxSeq
      ) {
        throw new Error(`properties ${JSON.stringify(p)} disagree with ${JSON.stringify(meta)}`);
      }
      const bad = compare(r, model, mulberry32(22), 4000);
      if (bad.length > 0) throw new Error(bad.slice(0, 10).join("\n"));
      if (cache && (cache.hits === 0 || cache.usage > cache.capacity)) {
        throw new Error(`cache ${cache.usage}/${cache.capacity}, ${cache.hits} hits`);
      }
      r.close();
    });
  }
});

Deno.test("SSTableReader finds every version of a key whose versions span many blocks", async () => {
  const entries: InternalEntry[] = [{ key: Uint8Array.of(106), seq: 5000, type: 1, value: Uint8Array.of(1) }];
  for (let s = 3000; s >= 1; s--) {
    entries.push({
      key: Uint8Array.of(107),
      seq: s,
      type: s % 7 === 0 ? 0 : 1,
      value: Uint8Array.of(s & 0xff),
    });
  }
  entries.push({ key: Uint8Array.of(108), seq: 6000, type: 1, value: new Uint8Array(0) });
  const model = new Model(entries);
  const fs = new MemFs();
  await writeTable(fs, "/000001.sst", model, { blockSize: 128 });
  const r = open(fs, "/000001.sst");
  const it = r.iterator();
  for (let s = 0; s <= 3001; s++) {
    const got = `${show(r.get(Uint8Array.of(107), s))} ${(it.seek(Uint8Array.of(107), s), showAt(it))}`;
    const want = `${show(model.get(Uint8Array.of(107), s))} ${showEntry(model.seek(Uint8Array.of(107), s))}`;
    if (got !== want) throw new Error(`snapshot ${s}: got ${got}, want ${want}`);
  }
});

/** Flips one bit at each offset; every flip must be reported, and nothing read may disagree with the model. */
function flipSuite(fs: MemFs, path: string, model: Model, offsets: number[], queries: number): void {
  const undetected: number[] = [];
  const wrong: string[] = [];
  for (const off of offsets) {
    fs.flipBit(path, off, off % 8);
    let detected = false;
    try {
      const r = open(fs, path);
      const rng = mulberry32(off);
      for (let q = 0; q < queries; q++) {
        const pick = model.entries[Math.floor(rng() * model.entries.length)]!;
        const snap = rng() < 0.5 ? MAX_SEQ : pick.seq;
        try {
          const got = show(r.get(pick.key, snap));
          if (got !== show(model.get(pick.key, snap))) {
            wrong.push(`byte ${off}: get(${str(pick.key)}, ${snap}) = ${got}`);
          }
        } catch (e) {
          if (!isCorruption(e)) throw e;
          detected = true;
        }
      }
      const it = r.iterator();
      let i = 0;
      for (it.seekToFirst(); it.valid(); it.next(), i++) {
        if (!isAt(it, model.entries[i])) wrong.push(`byte ${off}: entry ${i} = ${showAt(it)}`);
      }
      if (i !== model.entries.length) wrong.push(`byte ${off}: iteration ended after ${i} entries`);
    } catch (e) {
      if (!isCorruption(e)) throw new Error(`byte ${off}: not a CorruptionError`, { cause: e });
      if (e.file !== path || !e.message.includes(`"${path}"`)) {
        throw new Error(`byte ${off}: message does not name the file: ${e.message}`);
      }
      detected = true;
    }
    if (!detected) undetected.push(off);
    fs.flipBit(path, off, off % 8);
  }
  if (wrong.length > 0 || undetected.length > 0) {
    throw new Error(
      `wrong data:\n${wrong.slice(0, 10).join("\n")}\nundetected flips at: ${
        undetected.slice(0, 20).join(", ")
      }`,
    );
  }
}

Deno.test("A flipped bit anywhere in a small table is reported as corruption and never returns wrong data", async () => {
  const model = randomModel(60, mulberry32(31));
  const fs = new MemFs();
  const meta = await writeTable(fs, "/000012.sst", model, { blockSize: 128, restartInterval: 4 });
  const offsets = Array.from({ length: meta.size }, (_, i) => i);
  flipSuite(fs, "/000012.sst", model, offsets, 60);
  const r = open(fs, "/000012.sst");
  if (compare(r, model, mulberry32(1), 200).length > 0) {
    throw new Error("the table was not restored after the flips");
  }
});

Deno.test("A flipped bit at 300 random offsets of a 10k-entry table is reported and never returns wrong data", async () => {
  const model = randomModel(10_000, mulberry32(32));
  const fs = new MemFs();
  const meta = await writeTable(fs, "/000013.sst", model);
  const rng = mulberry32(33);
  const offsets = Array.from({ length: 300 }, () => Math.floor(rng() * meta.size));
  flipSuite(fs, "/000013.sst", model, offsets, 50);
});

Deno.test("A damaged data block names the file and the block offset", async () => {
  const model = randomModel(500, mulberry32(34));
  const fs = new MemFs();
  await writeTable(fs, "/000014.sst", model);
  fs.flipBit("/000014.sst", 10);
  const r = open(fs, "/000014.sst");
  try {
    r.get(model.entries[0]!.key, MAX_SEQ);
    throw new Error("a damaged block was read");
  } catch (e) {
    if (
      !isCorruption(e) ||
      !e.message.startsWith('Cannot read block at offset 0 of table "/000014.sst": checksum mismatch')
    ) throw e;
  }
  const loose = open(fs, "/000014.sst", { verifyChecksums: false });
  let differs = false;
  try {
    differs = compare(loose, model, mulberry32(2), 100).length > 0;
  } catch (e) {
    if (!isCorruption(e)) throw e;
    differs = true;
  }
  if (!differs) throw new Error("with verifyChecksums off, the damage should have changed what is read");
});

Deno.test("Opening a truncated table throws CorruptionError", async () => {
  const fs = new MemFs();
  const meta = await writeTable(fs, "/full.sst", randomModel(2000, mulberry32(41)));
  const full = fs.readFile("/full.sst");
  for (
    const len of [
      0,
      1,
      51,
      52,
      53,
      100,
      Math.floor(meta.size / 2),
      meta.size - 53,
      meta.size - 52,
      meta.size - 1,
    ]
  ) {
    const f = fs.openWritable("/000015.sst");
    f.append(full.subarray(0, len));
    f.close();
    try {
      open(fs, "/000015.sst");
    } catch (e) {
      if (isCorruption(e) && e.message.startsWith('Cannot open table "/000015.sst": ')) continue;
      throw e;
    }
    throw new Error(`a table truncated to ${len} of ${meta.size} bytes opened`);
  }
});

Deno.test("Bad magic is reported with the file name and the magic found", async () => {
  const fs = new MemFs();
  const meta = await writeTable(fs, "/000012.sst", randomModel(10, mulberry32(42)));
  for (let i = 1; i <= 8; i++) {
    const bits = fs.readFile("/000012.sst")[meta.size - i]!;
    for (let b = 0; b < 8; b++) if (bits & (1 << b)) fs.flipBit("/000012.sst", meta.size - i, b);
  }
  try {
    open(fs, "/000012.sst");
  } catch (e) {
    if (
      (e as Error).message === 'Cannot open table "/000012.sst": bad magic 0x0000000000000000' &&
      isCorruption(e)
    ) return;
    throw e;
  }
  throw new Error("bad magic was accepted");
});

Deno.test("A table from a newer format version is refused with NotSupportedError", async () => {
  const fs = new MemFs();
  const meta = await writeTable(fs, "/a.sst", randomModel(10, mulberry32(43)));
  const bytes = fs.readFile("/a.sst");
  const footer = bytes.subarray(meta.size - 52);
  writeU32(footer, 36, 2);
  writeU32(footer, 40, maskCrc(crc32c(footer.subarray(0, 40))));
  const f = fs.openWritable("/000016.sst");
  f.append(bytes);
  f.close();
  try {
    open(fs, "/000016.sst");
  } catch (e) {
    if (isNotSupported(e) && e.message.includes("format version 2")) return;
    throw e;
  }
  throw new Error("version 2 was accepted");
});

Deno.test("SSTableReader.get() consults the bloom filter before reading a block", async () => {
  const model = randomModel(3000, mulberry32(44));
  const fs = new MemFs();
  await writeTable(fs, "/000017.sst", model);
  const cache = new BlockCache(1 << 20);
  const r = open(fs, "/000017.sst", { cache });
  let filtered = 0;
  for (let i = 0; i < 2000; i++) {
    const key = new TextEncoder().encode(`absent-${i}`);
    const before = cache.hits + cache.misses;
    if (r.get(key, MAX_SEQ) !== undefined) throw new Error(`found absent key ${str(key)}`);
    if (cache.hits + cache.misses === before) filtered++;
    if (r.mayContain(key) !== (cache.hits + cache.misses !== before)) {
      throw new Error("mayContain() disagrees with get()");
    }
  }
  if (filtered < 1950) throw new Error(`only ${filtered} of 2000 absent keys were filtered`);
});

Deno.test("BlockCache keeps tables apart by file number and stays within capacity", async () => {
  const fs = new MemFs();
  const a = randomModel(3000, mulberry32(45));
  const b = randomModel(3000, mulberry32(46));
  await writeTable(fs, "/000018.sst", a);
  await writeTable(fs, "/000019.sst", b);
  const cache = new BlockCache(40_000);
  const ra = open(fs, "/000018.sst", { fileNumber: 18, cache });
  const rb = open(fs, "/000019.sst", { fileNumber: 19, cache });
  for (let round = 0; round < 2; round++) {
    const bad = [...compare(ra, a, mulberry32(round), 500), ...compare(rb, b, mulberry32(round + 9), 500)];
    if (bad.length > 0) throw new Error(bad.slice(0, 10).join("\n"));
  }
  ra.get(a.entries[0]!.key, MAX_SEQ);
  rb.get(b.entries[0]!.key, MAX_SEQ);
  if (cache.usage > cache.capacity || cache.hits === 0 || cache.length === 0) {
    throw new Error(`usage ${cache.usage} of ${cache.capacity}, ${cache.hits} hits, ${cache.length} blocks`);
  }
  const total = cache.length;
  cache.eraseFile(18);
  const left = cache.length;
  cache.eraseFile(19);
  if (!(left > 0 && left < total && cache.length === 0 && cache.usage === 0)) {
    throw new Error(`eraseFile: ${total} -> ${left} -> ${cache.length}`);
  }
});

Deno.test("SSTableReader reads a table written through RealFs", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const fs = new RealFs();
    const model = randomModel(5000, mulberry32(47));
    const meta = await writeTable(fs, `${dir}/000020.sst`, model);
    if (Deno.statSync(`${dir}/000020.sst`).size !== meta.size) {
      throw new Error("size on disk differs from meta.size");
    }
    const r = open(fs, `${dir}/000020.sst`, { cache: new BlockCache(1 << 20) });
    const bad = compare(r, model, mulberry32(48), 2000);
    r.close();
    if (bad.length > 0) throw new Error(bad.slice(0, 10).join("\n"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
