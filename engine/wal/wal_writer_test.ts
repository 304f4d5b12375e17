import { isInvalidArgument, isIOError } from "../errors.ts";
import type { WritableFile } from "../fs/fs.ts";
import { MemFs } from "../fs/mem_fs.ts";
import { RealFs } from "../fs/real_fs.ts";
import { readU32 } from "../util/coding.ts";
import { crc32c, maskCrc } from "../util/crc32c.ts";
import { WAL_BLOCK_SIZE, WAL_MAGIC, WAL_TYPE_CRC } from "./wal_format.ts";
import { readWal } from "./wal_reader.ts";
import { WalWriter } from "./wal_writer.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function payload(len: number, seed: number): Uint8Array {
  const next = rng(seed);
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = (next() * 256) | 0;
  return out;
}

/** Physical records of a log as "offset:type:length" strings, walking the block structure. */
function layout(data: Uint8Array): string[] {
  const out: string[] = [];
  let pos = 8;
  while (pos < data.length) {
    const left = WAL_BLOCK_SIZE - (pos % WAL_BLOCK_SIZE);
    if (left < 7) {
      if (data.subarray(pos, pos + left).some((b) => b !== 0)) out.push(`${pos}:nonzero-trailer`);
      pos += left;
      continue;
    }
    const len = data[pos + 4]! | (data[pos + 5]! << 8);
    const type = data[pos + 6]!;
    const body = data.subarray(pos + 7, pos + 7 + len);
    const ok = maskCrc(crc32c(body, WAL_TYPE_CRC[type])) === readU32(data, pos);
    out.push(`${pos}:${type}:${len}${ok ? "" : ":badcrc"}`);
    pos += 7 + len;
  }
  return out;
}

Deno.test("new WalWriter() writes the magic and version to an empty file", () => {
  const fs = new MemFs();
  const w = new WalWriter(fs.openWritable("/1.log"));
  const data = fs.readFile("/1.log");
  const got = [...data].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  if (got !== "54 34 44 57 01 00 00 00" || readU32(data, 0) !== WAL_MAGIC || w.size() !== 8) {
    throw new Error(`header is ${got}, size ${w.size()}`);
  }
});

Deno.test("addRecord() lays out the worked example of the format comment byte for byte", () => {
  const fs = new MemFs();
  const w = new WalWriter(fs.openWritable("/1.log"));
  w.addRecord(payload(100, 1));
  w.addRecord(payload(40000, 2));
  if (w.size() !== 40129) throw new Error(`size ${w.size()} after the 40000-byte record, want 40129`);
  w.addRecord(payload(0, 3));
  w.addRecord(payload(32753, 4)); // the longer example in engine/docs/formats/wal.md
  const got = layout(fs.readFile("/1.log")).join(" ");
  const want = "8:1:100 115:2:32646 32768:4:7354 40129:1:0 40136:2:25393 65536:4:7360";
  if (got !== want || w.size() !== 72903) {
    throw new Error(`layout ${got}, size ${w.size()}; want ${want}, 72903`);
  }
});

Deno.test("addRecord() zero-fills a block tail shorter than a header and starts the next block", async (t) => {
  for (const tail of [1, 6, 7]) {
    await t.step(`${tail} bytes left in the block`, () => {
      const fs = new MemFs();
      const w = new WalWriter(fs.openWritable("/1.log"));
      w.addRecord(payload(WAL_BLOCK_SIZE - 8 - 7 - tail, 3));
      w.addRecord(payload(10, 4));
      const got = layout(fs.readFile("/1.log")).join(" ");
      const second = tail < 7 ? `32768:1:10` : `32761:2:0 32768:4:10`;
      const want = `8:1:${WAL_BLOCK_SIZE - 15 - tail} ${second}`;
      if (got !== want) throw new Error(`layout ${got}; want ${want}`);
    });
  }
});

Deno.test("addRecord() frames an empty payload as a header-only Full record", () => {
  const fs = new MemFs();
  const w = new WalWriter(fs.openWritable("/1.log"));
  w.addRecord(new Uint8Array(0));
  const got = layout(fs.readFile("/1.log")).join(" ");
  if (got !== "8:1:0" || w.size() !== 15) throw new Error(`layout ${got}, size ${w.size()}`);
});

Deno.test("addRecord() makes exactly one append call per record, however many fragments", () => {
  const fs = new MemFs();
  const inner = fs.openWritable("/1.log");
  const sizes: number[] = [];
  const counting: WritableFile = {
    path: inner.path,
    append: (b) => {
      sizes.push(b.length);
      inner.append(b);
    },
    sync: () => inner.sync(),
    size: () => inner.size(),
    close: () => inner.close(),
  };
  const w = new WalWriter(counting);
  for (const n of [5, 100000, 0, 32760]) w.addRecord(payload(n, n));
  if (sizes.join(",") !== "8,12,100028,7,32774") throw new Error(`append sizes ${sizes.join(",")}`);
});

Deno.test("a writer reopened for append continues the block structure byte for byte", () => {
  const next = rng(42);
  const sizes = Array.from({ length: 60 }, () => (next() < 0.2 ? (next() * 70000) | 0 : (next() * 900) | 0));
  const fs = new MemFs();
  const one = new WalWriter(fs.openWritable("/one.log"));
  for (const [i, n] of sizes.entries()) one.addRecord(payload(n, i));
  let w = new WalWriter(fs.openWritable("/split.log"));
  for (const [i, n] of sizes.entries()) {
    if (i % 7 === 3) {
      w.close();
      w = new WalWriter(fs.openWritable("/split.log", { append: true }));
    }
    w.addRecord(payload(n, i));
  }
  const a = fs.readFile("/one.log");
  const b = fs.readFile("/split.log");
  const same = a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same || w.size() !== one.size()) {
    throw new Error(`split log differs: ${b.length} vs ${a.length} bytes`);
  }
  const records = readWal(b, { file: "split.log" }).records;
  if (records.map((r) => r.length).join() !== sizes.join()) throw new Error("records differ after reopening");
});

Deno.test("new WalWriter() rejects a file shorter than its header", () => {
  const fs = new MemFs();
  const f = fs.openWritable("/1.log");
  f.append(new Uint8Array([0x54, 0x34, 0x44]));
  try {
    new WalWriter(f);
  } catch (e) {
    if (isInvalidArgument(e) && e.message.includes('"/1.log"') && e.file === "/1.log") return;
    throw e;
  }
  throw new Error("a 3-byte file was accepted");
});

Deno.test("addRecord() refuses after close() and after a failed append", () => {
  const fs = new MemFs();
  const w = new WalWriter(fs.openWritable("/1.log"));
  w.close();
  w.close();
  let msg = "";
  try {
    w.addRecord(new Uint8Array(1));
  } catch (e) {
    if (!isIOError(e)) throw e;
    msg = e.message;
  }
  if (msg !== 'Cannot append to WAL "/1.log": the writer is closed') throw new Error(`got "${msg}"`);

  const inner = fs.openWritable("/2.log");
  let calls = 0;
  const flaky: WritableFile = {
    ...inner,
    path: inner.path,
    append: (b) => {
      if (++calls === 3) throw new Error("disk full");
      inner.append(b);
    },
  };
  const v = new WalWriter(flaky);
  v.addRecord(new Uint8Array(3));
  const failures: string[] = [];
  for (let i = 0; i < 2; i++) {
    try {
      v.addRecord(new Uint8Array(3));
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  if (
    failures.length !== 2 || failures[0] !== "disk full" || !failures[1]!.includes("an earlier append failed")
  ) {
    throw new Error(`failures: ${JSON.stringify(failures)}`);
  }
  if (calls !== 3 || v.size() !== 8 + 10) throw new Error(`calls ${calls}, size ${v.size()}`);
});

Deno.test("WalWriter on RealFs survives close, reopen for append and a read from disk", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const fs = new RealFs();
    const path = `${dir}/000007.log`;
    const sizes = [0, 1, 33000, 77, 70000, 5];
    let w = new WalWriter(fs.openWritable(path));
    for (const [i, n] of sizes.slice(0, 3).entries()) w.addRecord(payload(n, i));
    await w.sync();
    w.close();
    w = new WalWriter(fs.openWritable(path, { append: true }));
    for (const [i, n] of sizes.slice(3).entries()) w.addRecord(payload(n, i + 3));
    await w.sync();
    w.close();
    const data = fs.readFile(path);
    const got = readWal(data, { file: "000007.log" });
    const ok = got.records.every((r, i) => {
      const want = payload(sizes[i]!, i);
      return r.length === want.length && r.every((b, j) => b === want[j]);
    });
    if (got.records.length !== sizes.length || !ok || got.tornTail || data.length !== w.size()) {
      throw new Error(`read ${got.records.map((r) => r.length)}, torn ${got.tornTail}, ${data.length} bytes`);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
