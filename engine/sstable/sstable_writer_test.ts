import { isInvalidArgument, isIOError } from "../errors.ts";
import { MemFs } from "../fs/mem_fs.ts";
import { MAX_SEQ, type RecordType } from "../keys.ts";
import { readU32 } from "../util/coding.ts";
import { crc32c, maskCrc } from "../util/crc32c.ts";
import { SSTableReader } from "./sstable_reader.ts";
import { SSTableWriter } from "./sstable_writer.ts";

const enc = new TextEncoder();
const hexOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expectInvalid(what: string, f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (isInvalidArgument(e)) return;
    throw e;
  }
  throw new Error(`${what} was accepted`);
}

Deno.test("SSTableWriter writes the worked example of the format comment byte for byte", async () => {
  const fs = new MemFs();
  const w = new SSTableWriter(fs.openWritable("/000001.sst"));
  w.add(enc.encode("apple"), 2, 1, enc.encode("red"));
  w.add(enc.encode("apple"), 1, 0, new Uint8Array(0));
  w.add(enc.encode("banana"), 3, 1, enc.encode("yellow"));
  const meta = await w.finish();
  const file = fs.readFile("/000001.sst");
  const a = hexOf(enc.encode("apple"));
  const b = hexOf(enc.encode("banana"));
  const checks: [string, string, string][] = [
    ["size", String(file.length), "165"],
    [
      "data block",
      hexOf(file.subarray(0, 43)),
      `00 05 03 ${a} 02 01 ${hexOf(enc.encode("red"))} 05 00 00 01 00 00 06 06 ${b} 03 01 ` +
      `${hexOf(enc.encode("yellow"))} 00 00 00 00 01 00 00 00`,
    ],
    ["data trailer type", String(file[43]), "0"],
    ["data trailer crc", String(readU32(file, 44)), String(maskCrc(crc32c(file.subarray(0, 44))))],
    ["filter k", String(file[56]), "7"],
    ["index block", hexOf(file.subarray(62, 83)), `00 06 02 ${b} 03 01 00 2b 00 00 00 00 01 00 00 00`],
    ["properties", hexOf(file.subarray(88, 108)), `03 01 01 05 ${a} 02 06 ${b} 03 01 03`],
    [
      "footer handles",
      [0, 8, 12, 20, 24, 32, 36].map((o) => readU32(file, 113 + o)).join(","),
      "48,9,62,21,88,20,1",
    ],
    ["footer crc", String(readU32(file, 153)), String(maskCrc(crc32c(file.subarray(113, 153))))],
    ["magic", hexOf(file.subarray(157)), hexOf(enc.encode("T4DXSST")) + " 8a"],
    [
      "meta",
      JSON.stringify({ ...meta, smallestKey: [...meta.smallestKey], largestKey: [...meta.largestKey] }),
      JSON.stringify({
        size: 165,
        entries: 3,
        smallestKey: [...enc.encode("apple")],
        smallestSeq: 2,
        largestKey: [...enc.encode("banana")],
        largestSeq: 3,
        minSeq: 1,
        maxSeq: 3,
      }),
    ],
  ];
  const bad = checks.filter(([, got, want]) => got !== want);
  if (bad.length > 0) throw new Error(bad.map(([n, g, w]) => `${n}:\n  got  ${g}\n  want ${w}`).join("\n"));
});

Deno.test("SSTableWriter.add() rejects entries out of internal order, bad seqs and bad types", () => {
  const fs = new MemFs();
  const w = new SSTableWriter(fs.openWritable("/000002.sst"));
  w.add(enc.encode("m"), 10, 1, new Uint8Array(0));
  expectInvalid("a smaller user key", () => w.add(enc.encode("l"), 20, 1, new Uint8Array(0)));
  expectInvalid("a prefix of the last key", () => w.add(new Uint8Array(0), 20, 1, new Uint8Array(0)));
  expectInvalid("the same key and seq", () => w.add(enc.encode("m"), 10, 1, new Uint8Array(0)));
  expectInvalid("the same key with a newer seq", () => w.add(enc.encode("m"), 11, 0, new Uint8Array(0)));
  expectInvalid("a negative seq", () => w.add(enc.encode("n"), -1, 1, new Uint8Array(0)));
  expectInvalid("a fractional seq", () => w.add(enc.encode("n"), 1.5, 1, new Uint8Array(0)));
  expectInvalid("a seq above MAX_SEQ", () => w.add(enc.encode("n"), MAX_SEQ + 1, 1, new Uint8Array(0)));
  expectInvalid("type 2", () => w.add(enc.encode("n"), 1, 2 as RecordType, new Uint8Array(0)));
  w.add(enc.encode("m"), 9, 0, new Uint8Array(0));
  w.add(enc.encode("mm"), MAX_SEQ, 1, new Uint8Array(0));
  if (w.entries !== 3) throw new Error(`rejected entries were counted: ${w.entries}`);
  try {
    w.add(enc.encode("a"), 1, 1, new Uint8Array(0));
    throw new Error("an out-of-order key was accepted");
  } catch (e) {
    const msg = (e as Error).message;
    if (!msg.includes('"/000002.sst"') || !msg.includes("seq 1") || !msg.includes("0x6d6d")) throw e;
  }
});

Deno.test("SSTableWriter rejects bad options and use after finish() or abandon()", async () => {
  const fs = new MemFs();
  for (
    const options of [{ blockSize: 0 }, { restartInterval: 0 }, { restartInterval: 1.5 }, {
      bloomBitsPerKey: -1,
    }]
  ) {
    expectInvalid(JSON.stringify(options), () => new SSTableWriter(fs.openWritable("/x.sst"), options));
  }
  const w = new SSTableWriter(fs.openWritable("/000003.sst"));
  w.add(enc.encode("a"), 1, 1, new Uint8Array(0));
  await w.finish();
  expectInvalid("add() after finish()", () => w.add(enc.encode("b"), 1, 1, new Uint8Array(0)));
  await w.finish().then(() => {
    throw new Error("a second finish() succeeded");
  }, (e) => {
    if (!isInvalidArgument(e)) throw e;
  });
  const file = fs.openWritable("/000004.sst");
  const a = new SSTableWriter(file);
  a.add(enc.encode("a"), 1, 1, new Uint8Array(0));
  a.abandon();
  a.abandon();
  expectInvalid("add() after abandon()", () => a.add(enc.encode("b"), 1, 1, new Uint8Array(0)));
  try {
    file.append(new Uint8Array(1));
    throw new Error("abandon() left the file open");
  } catch (e) {
    if (!isIOError(e)) throw e;
  }
});

Deno.test("SSTableWriter.finish() returns copies of the boundary keys and exact seq bounds", async () => {
  const fs = new MemFs();
  const w = new SSTableWriter(fs.openWritable("/000005.sst"), { blockSize: 64 });
  const first = enc.encode("aaa");
  w.add(first, 5, 1, enc.encode("v"));
  const rng = mulberry32(3);
  let minSeq = 5;
  let maxSeq = 5;
  for (let i = 0; i < 200; i++) {
    const seq = 1 + Math.floor(rng() * 1e9);
    minSeq = Math.min(minSeq, seq);
    maxSeq = Math.max(maxSeq, seq);
    w.add(
      enc.encode(`b${String(i).padStart(4, "0")}`),
      seq,
      i % 3 === 0 ? 0 : 1,
      enc.encode("x".repeat(i % 50)),
    );
  }
  const last = enc.encode("zz");
  w.add(last, 7, 0, new Uint8Array(0));
  first[0] = 0;
  last[0] = 0;
  const meta = await w.finish();
  const got = `${new TextDecoder().decode(meta.smallestKey)}@${meta.smallestSeq} ` +
    `${
      new TextDecoder().decode(meta.largestKey)
    }@${meta.largestSeq} [${meta.minSeq}, ${meta.maxSeq}] ${meta.entries}`;
  const want = `aaa@5 zz@7 [${Math.min(minSeq, 7)}, ${maxSeq}] 202`;
  if (got !== want) throw new Error(`got ${got}, want ${want}`);
  if (meta.size !== fs.readFile("/000005.sst").length) {
    throw new Error(`size ${meta.size} is not the file size`);
  }
  const props = SSTableReader.open(fs.openRandom("/000005.sst"), { fileNumber: 5 }).properties();
  if (props.tombstones !== 68 || props.dataBlocks < 50) {
    throw new Error(`properties ${JSON.stringify(props)}`);
  }
});

Deno.test("SSTableWriter.estimatedSize() grows with the data and ends within 2% of the real size", async () => {
  const fs = new MemFs();
  const w = new SSTableWriter(fs.openWritable("/000006.sst"));
  const rng = mulberry32(8);
  let prev = w.estimatedSize();
  for (let i = 0; i < 10_000; i++) {
    const value = Uint8Array.from({ length: Math.floor(rng() * 100) }, () => 1);
    w.add(enc.encode(`key${String(i).padStart(6, "0")}`), i + 1, 1, value);
    const est = w.estimatedSize();
    if (est < prev) throw new Error(`estimate fell from ${prev} to ${est} at entry ${i}`);
    prev = est;
  }
  const meta = await w.finish();
  if (Math.abs(prev - meta.size) > meta.size * 0.02) {
    throw new Error(`estimate ${prev}, real size ${meta.size}`);
  }
});

Deno.test("An empty table finishes and reads back as empty", async () => {
  const fs = new MemFs();
  const meta = await new SSTableWriter(fs.openWritable("/000007.sst")).finish();
  if (meta.entries !== 0 || meta.smallestKey.length !== 0 || meta.maxSeq !== 0) {
    throw new Error(JSON.stringify(meta));
  }
  const r = SSTableReader.open(fs.openRandom("/000007.sst"), { fileNumber: 7 });
  const it = r.iterator();
  it.seekToFirst();
  if (it.valid() || r.get(new Uint8Array(0), MAX_SEQ) !== undefined) {
    throw new Error("an empty table has data");
  }
});
