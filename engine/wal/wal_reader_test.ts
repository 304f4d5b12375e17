import { isCorruption, isNotSupported } from "../errors.ts";
import { MemFs } from "../fs/mem_fs.ts";
import { WAL_BLOCK_SIZE as BLOCK, type WalReadResult } from "./wal_format.ts";
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

interface Log {
  data: Uint8Array;
  payloads: Uint8Array[];
  /** Offset of each record's first header (after any trailer its append began with). */
  starts: number[];
  ends: number[];
}

function buildLog(sizes: number[], seed: number): Log {
  const next = rng(seed);
  const fs = new MemFs();
  const w = new WalWriter(fs.openWritable("/log"));
  const log: Log = { data: new Uint8Array(0), payloads: [], starts: [], ends: [] };
  for (const n of sizes) {
    const p = new Uint8Array(n);
    for (let i = 0; i < n; i++) p[i] = (next() * 256) | 0;
    const left = BLOCK - (w.size() % BLOCK);
    log.starts.push(left < 7 ? w.size() + left : w.size());
    w.addRecord(p);
    log.payloads.push(p);
    log.ends.push(w.size());
  }
  log.data = fs.readFile("/log");
  return log;
}

/** The whole outcome as one string, records as their lengths. */
function show(got: WalReadResult): string {
  return JSON.stringify({ ...got, records: got.records.map((r) => r.length) });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Fails with the whole outcome unless the records are exactly `want` (by index into `log.payloads`). */
function expectRecords(got: WalReadResult, log: Log, want: number[], what: string): void {
  const ok = got.records.length === want.length &&
    want.every((k, i) => sameBytes(got.records[i]!, log.payloads[k]!));
  if (!ok) {
    throw new Error(`${what}: want records ${want}, got ${show(got)}`);
  }
}

Deno.test("readWal() returns every record of a random log, including empty and block-filling ones", () => {
  const next = rng(1);
  const sizes: number[] = [0, BLOCK - 8 - 7, 0, BLOCK - 7, BLOCK - 6, 1];
  for (let i = 0; i < 400; i++) {
    const r = next();
    sizes.push(r < 0.05 ? (next() * 150000) | 0 : r < 0.1 ? 0 : (next() * 600) | 0);
  }
  const log = buildLog(sizes, 2);
  let reports = 0;
  const got = readWal(log.data, { file: "000001.log", reporter: () => reports++ });
  expectRecords(got, log, sizes.map((_, i) => i), "round trip");
  if (got.validLength !== log.data.length || got.tornTail || got.corruptions.length || reports) {
    throw new Error(`clean log read as ${show(got)}`);
  }
});

Deno.test("readWal() drops a middle record with any flipped byte, reports it and resumes at the next block", () => {
  // Records 0..3 share block 0; record 4 runs from block 0 into block 2; 5 and 6 follow it.
  const log = buildLog([20, 40, 30, 25, 70000, 50, 10], 3);
  const [start, end] = [log.starts[1]!, log.ends[1]!];
  for (let at = start; at < end; at++) {
    for (const bit of [0, 7]) {
      const data = log.data.slice();
      data[at]! ^= 1 << bit;
      const reports: string[] = [];
      const got = readWal(data, { file: "000002.log", reporter: (n, why) => reports.push(`${n}:${why}`) });
      expectRecords(got, log, [0, 5, 6], `flip at ${at} bit ${bit}`);
      const c = got.corruptions;
      const state = JSON.stringify({ at, bit, c, reports });
      if (c.length !== 1 || c[0]!.offset !== start || c[0]!.offset + c[0]!.bytes !== log.starts[5]) {
        throw new Error(`wrong corruption: ${state}`);
      }
      if (
        reports.join() !== `${c[0]!.bytes}:${c[0]!.reason}` || got.tornTail || got.validLength !== data.length
      ) {
        throw new Error(`wrong report: ${state}`);
      }
      if (at === start + 5 && bit === 7 && c[0]!.reason !== "length 32808 at offset 35 runs past its block") {
        throw new Error(`wrong reason: ${state}`);
      }
    }
  }
});

Deno.test("readWal() reports damage in the final block when intact records follow it there", () => {
  const log = buildLog([20, 40, 30, 25], 4);
  const [start, end] = [log.starts[1]!, log.ends[1]!];
  for (let at = start; at < end; at++) {
    for (const bit of [0, 7]) {
      const data = log.data.slice();
      data[at]! ^= 1 << bit;
      const got = readWal(data, { file: "000003.log" });
      expectRecords(got, log, [0], `flip at ${at} bit ${bit}`);
      const c = got.corruptions;
      if (c.length !== 1 || c[0]!.offset !== start || c[0]!.bytes !== data.length - start || got.tornTail) {
        throw new Error(
          `flip at ${at} bit ${bit}: ${show(got)}`,
        );
      }
    }
  }
});

Deno.test("readWal() drops every fragment of a record with a damaged fragment, as one corruption", async (t) => {
  // Record 1: First in block 0, Middle in block 1, Last in block 2 with record 2 after it; record 3 runs
  // from block 2 into block 3, where record 4 follows.
  const log = buildLog([20, 70000, 30, 40000, 10], 5);
  const r1 = log.starts[1]!;
  const cases: [string, number, number[], number][] = [
    ["the First fragment", r1 + 100, [0, 2, 3, 4], log.ends[1]!],
    ["a Middle fragment", BLOCK + 500, [0, 2, 3, 4], log.ends[1]!],
    ["the Last fragment, losing the rest of its block", 2 * BLOCK + 9, [0, 4], log.ends[3]!],
  ];
  for (const [name, at, want, dropEnd] of cases) {
    await t.step(name, () => {
      const data = log.data.slice();
      data[at]! ^= 4;
      const got = readWal(data, { file: "000004.log" });
      expectRecords(got, log, want, `flip at ${at}`);
      const c = got.corruptions;
      if (c.length !== 1 || c[0]!.offset !== r1 || c[0]!.offset + c[0]!.bytes !== dropEnd || got.tornTail) {
        throw new Error(`flip at ${at}: corruptions ${JSON.stringify(c)}, want ${r1}..${dropEnd}`);
      }
    });
  }
});

Deno.test("readWal() reports damage followed only by the intact rest of the same record", () => {
  const log = buildLog([20, 70000], 11);
  const data = log.data.slice();
  data[log.starts[1]! + 3]! ^= 1;
  const got = readWal(data, { file: "000005.log" });
  expectRecords(got, log, [0], "damaged First of the last record");
  const c = got.corruptions;
  if (c.length !== 1 || c[0]!.offset !== log.starts[1] || c[0]!.bytes !== data.length - c[0]!.offset) {
    throw new Error(`corruptions ${JSON.stringify(c)}`);
  }
  if (
    got.tornTail || got.validLength !== log.ends[0] || !c[0]!.reason.startsWith("checksum mismatch at offset")
  ) {
    throw new Error(`torn ${got.tornTail}, validLength ${got.validLength}, reason "${c[0]!.reason}"`);
  }
});

Deno.test("readWal() reports damage followed by the intact start of a torn record", () => {
  // Record 1 fills block 0 exactly; record 2 starts block 1 and is cut inside its second fragment.
  const log = buildLog([20, BLOCK - 8 - 27 - 7, 70000], 12);
  const data = log.data.slice(0, BLOCK + BLOCK + 100);
  data[log.starts[1]! + 10]! ^= 1;
  const got = readWal(data, { file: "000006.log" });
  expectRecords(got, log, [0], "damage then a torn record");
  const c = got.corruptions;
  if (log.starts[2] !== BLOCK || c.length !== 1 || c[0]!.offset !== log.starts[1] || got.tornTail) {
    throw new Error(
      `record 3 at ${log.starts[3]}: ${show(got)}`,
    );
  }
});

Deno.test("readWal() treats a damaged last record as a torn tail", () => {
  const log = buildLog([20, 70000, 30], 6);
  for (const at of [log.starts[2]!, log.starts[2]! + 5, log.starts[2]! + 6, log.starts[2]! + 20]) {
    const data = log.data.slice();
    data[at]! ^= 0x10;
    const got = readWal(data, { file: "000005.log" });
    expectRecords(got, log, [0, 1], `flip at ${at}`);
    if (!got.tornTail || got.corruptions.length || got.validLength !== log.ends[1]) {
      throw new Error(`flip at ${at}: ${show(got)}`);
    }
  }
});

Deno.test("readWal() does not take a record framed inside a torn payload as proof of mid-log damage", () => {
  const fs = new MemFs();
  const inner = new WalWriter(fs.openWritable("/inner.log"));
  inner.addRecord(new TextEncoder().encode("a frame inside a value"));
  const frame = fs.readFile("/inner.log").subarray(8);
  const value = new Uint8Array(50 + frame.length + 200).fill(0xee);
  value.set(frame, 50);
  const w = new WalWriter(fs.openWritable("/outer.log"));
  w.addRecord(new Uint8Array(20));
  const end = w.size();
  w.addRecord(value);
  const cut = end + 7 + 50 + frame.length + 3;
  const got = readWal(fs.readFile("/outer.log").subarray(0, cut), { file: "000007.log" });
  if (got.records.length !== 1 || !got.tornTail || got.corruptions.length || got.validLength !== end) {
    throw new Error(show(got));
  }
});

Deno.test("readWal() reads every cut through the last record as a torn tail that appending repairs", async (t) => {
  const cases: [string, number[]][] = [
    ["a last record crossing a block boundary", [30, BLOCK - 8 - 7 - 30 - 7 - 150, 300]],
    ["a last record whose append starts with a block trailer", [30, BLOCK - 8 - 7 - 30 - 7 - 3, 250]],
    ["a last record of several blocks", [30, 100000]],
  ];
  for (const [name, sizes] of cases) {
    await t.step(name, () => {
      const log = buildLog(sizes, 7);
      const last = sizes.length - 1;
      const cleanEnd = log.ends[last - 1]!;
      const step = sizes[last]! > BLOCK ? 97 : 1;
      for (let cut = cleanEnd; cut < log.data.length; cut += step) {
        const fs = new MemFs();
        const f = fs.openWritable("/cut.log");
        f.append(log.data.subarray(0, cut));
        const got = readWal(fs.readFile("/cut.log"), { file: "cut.log" });
        expectRecords(got, log, sizes.slice(0, last).map((_, i) => i), `cut at ${cut}`);
        if (got.tornTail !== cut > cleanEnd || got.validLength !== cleanEnd || got.corruptions.length) {
          throw new Error(`cut at ${cut}: ${show(got)}`);
        }
        fs.truncate("/cut.log", got.validLength);
        const w = new WalWriter(fs.openWritable("/cut.log", { append: true }));
        w.addRecord(log.payloads[last]!);
        w.addRecord(log.payloads[0]!);
        const again = readWal(fs.readFile("/cut.log"), { file: "cut.log" });
        expectRecords(again, log, [...sizes.keys(), 0], `reopened after cut at ${cut}`);
        if (again.tornTail || again.corruptions.length || again.validLength !== w.size()) {
          throw new Error(
            `reopened after cut at ${cut}: torn ${again.tornTail}, ${again.corruptions.length}`,
          );
        }
      }
    });
  }
});

Deno.test("readWal() treats a zero-filled tail as torn and zeros mid-log as a corruption", () => {
  const log = buildLog([20, 40, 30, 70000, 10], 8);
  const padded = new Uint8Array(log.data.length + 3 * BLOCK + 123);
  padded.set(log.data);
  const tail = readWal(padded, { file: "000006.log" });
  expectRecords(tail, log, [0, 1, 2, 3, 4], "zero-filled tail");
  if (!tail.tornTail || tail.corruptions.length || tail.validLength !== log.data.length) {
    throw new Error(`zero tail: ${show(tail)}`);
  }
  const holed = log.data.slice();
  holed.fill(0, log.starts[1]!, log.ends[2]!);
  const hole = readWal(holed, { file: "000006.log" });
  expectRecords(hole, log, [0, 4], "zeroed middle");
  const c = hole.corruptions;
  if (c.length !== 1 || c[0]!.offset !== log.starts[1] || !c[0]!.reason.startsWith("zero-filled region")) {
    throw new Error(`zeroed middle: ${JSON.stringify(c)}`);
  }
});

Deno.test("readWal() rejects a bad magic and a newer version, naming the file", () => {
  const log = buildLog([5], 9);
  const cases: [Uint8Array, (e: unknown) => boolean, string][] = [
    [
      new Uint8Array([1, ...log.data.subarray(1)]),
      isCorruption,
      "bad magic 0x57443401 (expected 0x57443454)",
    ],
    [new Uint8Array([...log.data.subarray(0, 4), 2, 0, 0, 0]), isNotSupported, "format version 2 is not"],
    [new Uint8Array([0x54, 0x34, 0x45]), isCorruption, "bad magic 0x00453454"],
  ];
  for (const [data, is, text] of cases) {
    let err: unknown;
    try {
      readWal(data, { file: "000012.log" });
    } catch (e) {
      err = e;
    }
    const msg = (err as Error | undefined)?.message ?? "nothing thrown";
    if (!is(err) || !msg.startsWith('Cannot read WAL "000012.log": ') || !msg.includes(text)) {
      throw new Error(`want "${text}", got: ${msg}`);
    }
  }
});

Deno.test("readWal() reads an empty file as empty and a torn or zeroed header as a torn tail", () => {
  const log = buildLog([5], 10);
  const cases: [Uint8Array, boolean][] = [
    [new Uint8Array(0), false],
    [log.data.subarray(0, 3), true],
    [log.data.subarray(0, 6), true],
    [new Uint8Array(100), true],
    [log.data.subarray(0, 8), false],
  ];
  for (const [data, torn] of cases) {
    const got = readWal(data, { file: "000013.log" });
    const wantLength = data.length === 8 ? 8 : 0;
    if (
      got.records.length || got.tornTail !== torn || got.validLength !== wantLength || got.corruptions.length
    ) {
      throw new Error(`${data.length} bytes: ${JSON.stringify(got)}`);
    }
  }
});
