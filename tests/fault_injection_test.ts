/**
 * Fault-injection and recovery suite (style guide: "crash suites from day one").
 *
 * - Crash points: a writer runs batches (some synced) against a small-memtable store on `MemFs` while
 *   `ErrorFs.onCall` takes a `crashClone()` before random file-system calls (so inside WAL appends,
 *   flushes, compactions, manifest edits and file deletions) and a timer takes more. Each clone must
 *   reopen to exactly the state after some prefix of the batches, at least as long as the last batch
 *   known durable when the clone was taken: acknowledged durable writes survive, nothing deleted comes
 *   back, no batch is torn. Some clones are crashed again in the middle of their own recovery.
 * - Injected failures: `ErrorFs` fails one sync/append/rename/syncDir/openWritable/remove during a flush,
 *   a compaction, a write or an open. The failure must surface (the call rejects or the store reports a
 *   background error), and both the file system as left and its crash clone must reopen with every
 *   acknowledged write.
 * - Recovery: a missing CURRENT next to store files is a clear CorruptionError; several WALs left by a
 *   crash between memtable rotation and flush are all replayed; reopening many times without writes
 *   changes no data and does not grow the manifest or leave files behind.
 *
 * @module
 */
import { type Durability, type OpenOptions, T4DX } from "../engine/db.ts";
import { isCorruption, isIOError } from "../engine/errors.ts";
import { ErrorFs, type FaultRule, type FsCall } from "../engine/fs/error_fs.ts";
import type { Fs } from "../engine/fs/fs.ts";
import { MemFs } from "../engine/fs/mem_fs.ts";
import { mulberry32, type Rng } from "../engine/util/rng.ts";
import { WriteBatch } from "../engine/write_batch.ts";

const DIR = "/db";
const SEQ_KEY = "meta/seq";
const dec = new TextDecoder();

/** Options that make flushes and compactions frequent on a few hundred KiB of data. */
const SMALL: OpenOptions = {
  memtableBytes: 8 << 10,
  l0CompactionTrigger: 2,
  levelBaseBytes: 32 << 10,
  levelMultiplier: 4,
  targetFileBytes: 8 << 10,
};

type Op = [key: string, value: string | undefined];
type Model = Map<string, string>;

/** A deterministic workload: batch `i` sets `meta/seq = i` and puts or deletes a few random keys. */
function makeBatches(rng: Rng, n: number, keySpace: number): Op[][] {
  const live = new Set<string>();
  const out: Op[][] = [];
  for (let i = 0; i < n; i++) {
    const ops: Op[] = [];
    const count = 1 + Math.floor(rng() * 5);
    for (let j = 0; j < count; j++) {
      const k = `key/${String(Math.floor(rng() * keySpace)).padStart(4, "0")}`;
      if (live.has(k) && rng() < 0.3) {
        ops.push([k, undefined]);
        live.delete(k);
      } else {
        ops.push([k, `${k}@${i}.${j}:${"v".repeat(Math.floor(rng() * 200))}`]);
        live.add(k);
      }
    }
    ops.push([SEQ_KEY, String(i)]);
    out.push(ops);
  }
  return out;
}

function toBatch(ops: Op[]): WriteBatch {
  const b = new WriteBatch();
  for (const [k, v] of ops) v === undefined ? b.delete(k) : b.put(k, v);
  return b;
}

/** The store's contents after batches `0 .. p-1`. */
function modelAfter(batches: Op[][], p: number): Model {
  const m: Model = new Map();
  for (let i = 0; i < p; i++) for (const [k, v] of batches[i]!) v === undefined ? m.delete(k) : m.set(k, v);
  return m;
}

function allKeys(batches: Op[][]): string[] {
  return [...new Set(batches.flatMap((ops) => ops.map(([k]) => k)))].sort();
}

/** Differences between the store (one scan and a get per key) and `want`, at most `limit`. */
function diff(db: T4DX, want: Model, keys: string[], limit = 5): string[] {
  const out: string[] = [];
  const seen: Model = new Map();
  for (const [k, v] of db.iterator()) seen.set(dec.decode(k), dec.decode(v));
  for (const k of keys) {
    const scan = seen.get(k), got = db.getString(k), w = want.get(k);
    if (scan !== w || got !== w) {
      out.push(`${k}: scan ${scan?.slice(0, 20)}, get ${got?.slice(0, 20)}, want ${w?.slice(0, 20)}`);
    }
    if (out.length >= limit) break;
  }
  for (const k of seen.keys()) if (!want.has(k) && out.length < limit) out.push(`${k}: unexpected key`);
  return out;
}

function describe(e: unknown): string {
  const x = e as { name?: string; message?: string; cause?: unknown };
  const cause = x.cause === undefined ? "" : ` (cause: ${describe(x.cause)})`;
  return `${x.name ?? "?"}: ${x.message ?? String(e)}${cause}`;
}

/** Opens `fs` and returns the prefix length it holds, or a description of what is wrong. */
async function checkPrefix(
  fs: Fs,
  batches: Op[][],
  keys: string[],
  minPrefix: number,
): Promise<{ prefix: number; problem: string | undefined }> {
  let db: T4DX;
  try {
    db = await T4DX.open(DIR, { fs, autoCompaction: false });
  } catch (e) {
    return { prefix: -1, problem: `open failed: ${describe(e)}` };
  }
  try {
    const seq = db.getString(SEQ_KEY);
    const prefix = seq === undefined ? 0 : Number(seq) + 1;
    if (prefix < minPrefix) return { prefix, problem: `holds ${prefix} batches, ${minPrefix} were durable` };
    const d = diff(db, modelAfter(batches, prefix), keys);
    return {
      prefix,
      problem: d.length > 0 ? `not the state after ${prefix} batches: ${d.join(" | ")}` : undefined,
    };
  } finally {
    await db.close();
  }
}

/** Where a crash landed, from the call it preceded. */
function category(c: FsCall, flushPending: boolean): string {
  const name = c.path.slice(c.path.lastIndexOf("/") + 1);
  if (name.endsWith(".sst")) return flushPending ? `flush:${c.op}` : `compaction:${c.op}`;
  if (name.startsWith("MANIFEST")) return `manifest:${c.op}`;
  if (name.endsWith(".log")) return `wal:${c.op}`;
  return `${name.replace(/\d+/g, "N")}:${c.op}`;
}

interface Clone {
  fs: MemFs;
  /** Batches known durable when it was taken. */
  durable: number;
  where: string;
}

/** Runs the workload under random crash points; returns the clones and the workload. */
async function crashRun(seed: number, durability: Durability) {
  const rng = mulberry32(seed);
  const batches = makeBatches(rng, 900, 400);
  const mem = new MemFs();
  const fs = new ErrorFs(mem);
  const clones: Clone[] = [];
  let durable = 0;
  let flushPending = () => false;
  let countdown = 1 + Math.floor(rng() * 60);
  const onCall = (c: FsCall) => {
    // Every manifest edit is a commit point of a flush or compaction: crash before half of them.
    const edit = c.op === "append" && c.path.includes("MANIFEST-") && rng() < 0.5;
    if (--countdown > 0 && !edit) return;
    if (countdown <= 0) countdown = 1 + Math.floor(rng() * 120);
    clones.push({ fs: mem.crashClone(), durable, where: category(c, flushPending()) });
  };
  const timer = setInterval(() => clones.push({ fs: mem.crashClone(), durable, where: "timer" }), 5);
  // Crashes while the store is being created have their own test.
  const db = await T4DX.open(DIR, { fs, durability, ...SMALL });
  fs.onCall = onCall;
  flushPending = () => db.stats().immutableMemtable;
  let next = 0;
  const syncEvery = durability === "sync" ? 1 : 7;
  const writer = async () => {
    while (next < batches.length) {
      const i = next++;
      const sync = i % syncEvery === 0;
      await db.write(toBatch(batches[i]!), { sync });
      if (sync || durability === "sync") durable = Math.max(durable, i + 1);
    }
  };
  try {
    await Promise.all([writer(), writer(), writer()]);
    await db.compact();
  } finally {
    clearInterval(timer);
    fs.onCall = undefined;
    await db.close();
  }
  return { batches, clones, keys: allKeys(batches) };
}

for (const [seed, durability] of [[11, "sync"], [12, { intervalMs: 2 }], [13, "sync"]] as const) {
  Deno.test(
    `every durable batch survives crashes at random points, in flushes and compactions too (seed ${seed}, ` +
      `durability ${JSON.stringify(durability)})`,
    async () => {
      const { batches, clones, keys } = await crashRun(seed, durability);
      const rng = mulberry32(seed * 31);
      const problems: string[] = [];
      const where = new Map<string, number>();
      let recoveryCrashes = 0;
      for (const [n, c] of clones.entries()) {
        where.set(c.where, (where.get(c.where) ?? 0) + 1);
        const base = c.fs.crashClone();
        const r = await checkPrefix(c.fs, batches, keys, c.durable);
        if (r.problem) {
          problems.push(`clone ${n} at ${c.where} (durable ${c.durable}): ${r.problem}`);
          continue;
        }
        if (n % 4 !== 0) continue;
        // Crash again in the middle of recovering this clone; that must not lose anything either.
        const mem2 = base;
        const efs = new ErrorFs(mem2);
        const at = 1 + Math.floor(rng() * 40);
        let inner: MemFs | undefined;
        let calls = 0;
        efs.onCall = () => {
          if (++calls === at) inner = mem2.crashClone();
        };
        const db = await T4DX.open(DIR, { fs: efs, autoCompaction: false });
        await db.close();
        if (!inner) continue;
        recoveryCrashes++;
        const r2 = await checkPrefix(inner, batches, keys, r.prefix);
        if (r2.problem || r2.prefix !== r.prefix) {
          problems.push(
            `clone ${n} crashed at call ${at} of its recovery: ${r2.problem ?? `prefix ${r2.prefix}`}`,
          );
        }
      }
      const cats = Object.fromEntries([...where].sort());
      const state = JSON.stringify({ clones: clones.length, recoveryCrashes, where: cats });
      if (problems.length > 0) {
        throw new Error(`${problems.length} bad clones ${state}:\n${problems.join("\n")}`);
      }
      const hit = (p: string) => [...where.keys()].some((k) => k.startsWith(p));
      if (
        !hit("flush:") || !hit("compaction:") || !hit("manifest:") || !hit("wal:") || recoveryCrashes === 0
      ) {
        throw new Error(`crash points did not cover flush, compaction, manifest, WAL and recovery: ${state}`);
      }
    },
  );
}

/** A store with two tables and unflushed data, behind an ErrorFs, and what it holds. */
async function prepared(seed: number, options: OpenOptions = {}) {
  const mem = new MemFs();
  const fs = new ErrorFs(mem);
  const background: unknown[] = [];
  const db = await T4DX.open(DIR, {
    fs,
    autoCompaction: false,
    ...options,
    onBackgroundError: (e) => background.push(e),
  });
  const batches = makeBatches(mulberry32(seed), 120, 150);
  for (const [i, ops] of batches.entries()) {
    await db.write(toBatch(ops));
    if (i === 40 || i === 80) await db.flush();
  }
  return { mem, fs, db, batches, keys: allKeys(batches), background };
}

/** Whether `e` is, or was caused by, an error ErrorFs injected. */
function injected(e: unknown): boolean {
  for (let x = e; x !== undefined; x = (x as { cause?: unknown }).cause) {
    if (isIOError(x) && String((x as Error).message).includes("Injected failure")) return true;
  }
  return false;
}

const FLUSH_FAULTS: [string, FaultRule][] = [
  ["opening the new table", { op: "openWritable", path: "*.sst", nth: 1 }],
  ["appending to the new table", { op: "append", path: "*.sst", nth: 1 }],
  ["syncing the new table", { op: "sync", path: "*.sst", nth: 1 }],
  ["syncing the directory (new WAL)", { op: "syncDir", nth: 1 }],
  ["syncing the directory (new table)", { op: "syncDir", nth: 2 }],
  ["appending the manifest edit", { op: "append", path: "*MANIFEST-*", nth: 1 }],
  ["syncing the manifest edit", { op: "sync", path: "*MANIFEST-*", nth: 1 }],
  ["opening the new WAL", { op: "openWritable", path: "*.log", nth: 1 }],
  ["syncing the old WAL", { op: "sync", path: "*.log", nth: 1 }],
  ["removing the flushed WAL", { op: "remove", path: "*.log", nth: 1 }],
];

/** Armed after a flush, so `compact()` goes straight to the compaction. */
const COMPACTION_FAULTS: [string, FaultRule][] = [
  ["opening an output table", { op: "openWritable", path: "*.sst", nth: 1 }],
  ["appending to an output table", { op: "append", path: "*.sst", nth: 2 }],
  ["syncing an output table", { op: "sync", path: "*.sst", nth: 1 }],
  ["syncing the directory", { op: "syncDir", nth: 1 }],
  ["appending the manifest edit", { op: "append", path: "*MANIFEST-*", nth: 1 }],
  ["syncing the manifest edit", { op: "sync", path: "*MANIFEST-*", nth: 1 }],
  ["removing an input table", { op: "remove", path: "*.sst", nth: 1 }],
];

/** After a surfaced failure: the fs as left and its crash clone both reopen with every acked batch. */
async function assertRecovers(mem: MemFs, clone: MemFs, batches: Op[][], keys: string[], acked: number) {
  const out: string[] = [];
  for (const [name, fs] of [["as left", mem], ["crash clone", clone]] as const) {
    const r = await checkPrefix(fs, batches, keys, acked);
    if (r.problem) out.push(`${name}: ${r.problem}`);
  }
  return out;
}

for (const [phase, faults] of [["flush", FLUSH_FAULTS], ["compaction", COMPACTION_FAULTS]] as const) {
  Deno.test(`a failure injected during a ${phase} surfaces, and no acknowledged write is lost`, async (t) => {
    for (const [name, rule] of faults) {
      await t.step(`${name} (${JSON.stringify(rule)})`, async () => {
        const { mem, fs, db, batches, keys, background } = await prepared(21);
        if (phase === "compaction") await db.flush();
        const fault = fs.inject(rule);
        let surfaced: unknown;
        try {
          await (phase === "flush" ? db.flush() : db.compact());
        } catch (e) {
          surfaced = e;
        }
        // A failure reported only in the background must still stop later writes; one that the call
        // reported may leave the store writable, and then the later write is acknowledged data too.
        const after: Op[] = [["after", "x"], [SEQ_KEY, String(batches.length)]];
        let later: unknown;
        await db.write(toBatch(after)).catch((e) => later = e);
        const clone = mem.crashClone();
        fs.clear();
        await db.close().catch(() => {});
        const state = {
          fired: fault.fired,
          surfaced: surfaced === undefined ? undefined : describe(surfaced),
          background: background.map(describe),
          later: later === undefined ? undefined : describe(later),
        };
        if (fault.fired === 0) throw new Error(`the fault never fired: ${JSON.stringify(state)}`);
        if (!injected(surfaced) && !background.some(injected)) {
          throw new Error(`the injected failure did not surface: ${JSON.stringify(state)}`);
        }
        if (surfaced === undefined && later === undefined) {
          throw new Error(`a write after a background failure was accepted: ${JSON.stringify(state)}`);
        }
        const acked = later === undefined ? batches.length + 1 : batches.length;
        const problems = await assertRecovers(mem, clone, [...batches, after], [...keys, "after"], acked);
        if (problems.length > 0) throw new Error(`${problems.join("; ")} ${JSON.stringify(state)}`);
      });
    }
  });
}

Deno.test("a WAL append or sync that fails rejects the write and makes the store refuse writes", async (t) => {
  for (const rule of [{ op: "sync", path: "*.log" }, { op: "append", path: "*.log" }] as FaultRule[]) {
    await t.step(JSON.stringify(rule), async () => {
      const { mem, fs, db, batches, keys } = await prepared(22);
      const fault = fs.inject({ ...rule, nth: 1 });
      const failed: Op[] = [["key/9999", "never acknowledged"], [SEQ_KEY, String(batches.length)]];
      const outcome = [
        await db.write(toBatch(failed)).then(() => "resolved", describe),
        await db.put("after", "x").then(() => "resolved", describe),
      ];
      const clone = mem.crashClone();
      fs.clear();
      await db.close().catch(() => {});
      const state = JSON.stringify({ fired: fault.fired, outcome });
      if (fault.fired !== 1 || !outcome[0]!.includes("Injected failure") || outcome[1] === "resolved") {
        throw new Error(`failure not surfaced: ${state}`);
      }
      // The failed batch was never acknowledged: it may be there or not, but not half.
      const withFailed = [...batches, failed];
      const problems = await assertRecovers(mem, clone, withFailed, [...keys, "key/9999"], batches.length);
      if (problems.length > 0) throw new Error(`${problems.join("; ")} ${state}`);
    });
  }
});

Deno.test("a background flush that fails is reported, later writes are refused, and acked data survives", async () => {
  const mem = new MemFs();
  const fs = new ErrorFs(mem);
  const background: unknown[] = [];
  const db = await T4DX.open(DIR, { fs, ...SMALL, onBackgroundError: (e) => background.push(e) });
  const batches = makeBatches(mulberry32(23), 600, 300);
  const fault = fs.inject({ op: "append", path: "*.sst", nth: 3 });
  let acked = 0;
  let rejected: unknown;
  for (const ops of batches) {
    try {
      await db.write(toBatch(ops));
      acked++;
    } catch (e) {
      rejected = e;
      break;
    }
  }
  const clone = mem.crashClone();
  fs.clear();
  await db.close().catch(() => {});
  const state = JSON.stringify({
    fired: fault.fired,
    acked,
    rejected: rejected && describe(rejected),
    background: background.map(describe),
  });
  if (fault.fired !== 1 || !background.some(injected) || !isIOError(rejected)) {
    throw new Error(`background failure not surfaced: ${state}`);
  }
  const problems = await assertRecovers(mem, clone, batches, allKeys(batches), acked);
  if (problems.length > 0) throw new Error(`${problems.join("; ")} ${state}`);
});

Deno.test("a failure injected while opening a store fails the open, and the next open recovers everything", async (t) => {
  const faults: [string, FaultRule][] = [
    ["renaming CURRENT into place", { op: "rename", path: "*CURRENT*" }],
    ["syncing the new manifest", { op: "sync", path: "*MANIFEST-*" }],
    ["syncing the directory", { op: "syncDir" }],
    ["writing the table of the replayed WAL", { op: "append", path: "*.sst" }],
    ["creating the new WAL", { op: "openWritable", path: "*.log" }],
  ];
  for (const [name, rule] of faults) {
    await t.step(name, async () => {
      const { mem, fs, db, batches, keys } = await prepared(24);
      await db.close();
      const fault = fs.inject({ ...rule, nth: 1 });
      const outcome = await T4DX.open(DIR, { fs }).then(async (d) => {
        await d.close();
        return "opened";
      }, describe);
      const clone = mem.crashClone();
      fs.clear();
      const state = JSON.stringify({ fired: fault.fired, outcome });
      if (fault.fired !== 1 || !outcome.includes("Injected failure")) {
        throw new Error(`open did not fail: ${state}`);
      }
      const problems = await assertRecovers(mem, clone, batches, keys, batches.length);
      if (problems.length > 0) throw new Error(`${problems.join("; ")} ${state}`);
    });
  }
});

Deno.test("a crash at any point while a new store is created leaves a directory that opens", async () => {
  const mem = new MemFs();
  const clones: { fs: MemFs; call: string }[] = [];
  const fs = new ErrorFs(mem, {
    onCall: (c) => clones.push({ fs: mem.crashClone(), call: `${c.op} ${c.path}` }),
  });
  await (await T4DX.open(DIR, { fs })).close();
  const bad: string[] = [];
  for (const c of clones) {
    const files = c.fs.exists(DIR) ? c.fs.list(DIR) : [];
    try {
      const db = await T4DX.open(DIR, { fs: c.fs });
      await db.put("k", "v");
      const v = db.getString("k");
      await db.close();
      if (v !== "v") bad.push(`before ${c.call} (files ${files}): opened but lost a write`);
    } catch (e) {
      bad.push(`before ${c.call} (files ${files}): ${describe(e)}`);
    }
  }
  if (bad.length > 0) {
    throw new Error(`${bad.length} of ${clones.length} crash points broke the store:\n${bad.join("\n")}`);
  }
});

Deno.test("a store whose CURRENT is missing next to its files is refused with a CorruptionError naming CURRENT", async () => {
  const { mem, db } = await prepared(31);
  await db.close();
  mem.remove(`${DIR}/CURRENT`);
  const outcome = await T4DX.open(DIR, { fs: mem }).then(async (d) => {
    await d.close();
    return "opened";
  }, (e) => (isCorruption(e) ? "CorruptionError: " : "other: ") + describe(e));
  if (!outcome.startsWith("CorruptionError") || !outcome.includes("CURRENT")) {
    throw new Error(`unexpected: ${JSON.stringify({ outcome, files: mem.list(DIR) })}`);
  }
});

Deno.test("several WALs left by a crash between memtable rotation and flush are all replayed", async () => {
  const mem = new MemFs();
  const fs = new ErrorFs(mem);
  const batches = makeBatches(mulberry32(32), 400, 300);
  const clones: { fs: MemFs; durable: number; logs: number[] }[] = [];
  let durable = 0;
  // Before each table write and manifest edit, keep a clone if it holds two or more non-empty WALs.
  fs.onCall = (c) => {
    if (!/\.sst$|MANIFEST-/.test(c.path) || c.op !== "append") return;
    const logs = mem.list(DIR).filter((n) => n.endsWith(".log")).map((n) =>
      mem.readFile(`${DIR}/${n}`).length
    );
    if (logs.filter((n) => n > 8).length >= 2) {
      const clone = mem.crashClone();
      const kept = clone.list(DIR).filter((n) => n.endsWith(".log"));
      if (kept.length >= 2) {
        clones.push({
          fs: clone,
          durable,
          logs: kept.map((n) => clone.readFile(`${DIR}/${n}`).length),
        });
      }
    }
  };
  const db = await T4DX.open(DIR, { fs, ...SMALL, autoCompaction: false });
  let next = 0;
  const writer = async () => {
    while (next < batches.length) {
      const i = next++;
      await db.write(toBatch(batches[i]!));
      durable = Math.max(durable, i + 1);
    }
  };
  await Promise.all([writer(), writer(), writer(), writer()]);
  fs.onCall = undefined;
  await db.close();
  const keys = allKeys(batches);
  const problems: string[] = [];
  let threeWals = 0;
  for (const [n, c] of clones.entries()) {
    const r = await checkPrefix(c.fs.crashClone(), batches, keys, c.durable);
    if (r.problem) problems.push(`clone ${n} (WAL sizes ${c.logs}): ${r.problem}`);
    // Crash its recovery before each manifest append, which includes the moment the new WAL exists but
    // the manifest has not yet retired the old ones.
    const efs = new ErrorFs(c.fs);
    const inner: MemFs[] = [];
    efs.onCall = (call) => {
      if (call.op === "append" && call.path.includes("MANIFEST-")) inner.push(c.fs.crashClone());
    };
    await (await T4DX.open(DIR, { fs: efs, autoCompaction: false })).close();
    for (const [j, fs2] of inner.entries()) {
      if (fs2.list(DIR).filter((f) => f.endsWith(".log")).length >= 3) threeWals++;
      const r2 = await checkPrefix(fs2, batches, keys, r.prefix);
      if (r2.problem || r2.prefix !== r.prefix) {
        problems.push(`clone ${n}, recovery crashed before manifest append ${j}: ${r2.problem ?? r2.prefix}`);
      }
    }
  }
  const state = JSON.stringify({
    clones: clones.length,
    threeWals,
    wals: clones.slice(0, 5).map((c) => c.logs),
  });
  if (problems.length > 0) throw new Error(`${problems.length} problems ${state}:\n${problems.join("\n")}`);
  if (clones.length === 0 || threeWals === 0) throw new Error(`the crash never left several WALs: ${state}`);
});

Deno.test("reopening a store many times without writes changes no data and does not grow the manifest", async () => {
  const { mem, db, batches, keys } = await prepared(33);
  await db.close();
  const want = modelAfter(batches, batches.length);
  const rounds: string[] = [];
  for (let i = 0; i < 12; i++) {
    const d = await T4DX.open(DIR, { fs: mem });
    const problems = diff(d, want, keys);
    const manifest = `${DIR}/MANIFEST-${String(d.stats().manifestNumber).padStart(6, "0")}`;
    await d.close();
    const files = mem.list(DIR);
    const kinds = files.map((f) => f.replace(/\d{6}/, "N")).join(",");
    rounds.push(
      `${i}: manifest ${mem.readFile(manifest).length} bytes, files ${kinds}` +
        (problems.length > 0 ? `, WRONG ${problems.join(" | ")}` : ""),
    );
  }
  const steady = rounds.slice(2).map((r) => r.replace(/^\d+: /, ""));
  if (rounds.some((r) => r.includes("WRONG")) || new Set(steady).size !== 1) {
    throw new Error(`reopens are not steady:\n${rounds.join("\n")}`);
  }
});

Deno.test("recovery never reuses the number of a WAL on disk that the manifest does not know yet", async () => {
  // A memtable switch opens a new WAL before the manifest records the number it used, so after a crash a
  // WAL with acknowledged writes can carry a number at or above the manifest's next-file counter. Here
  // that WAL is numbered so that recovery, which allocates one table and then one WAL, would hand its
  // number out again; recovery then fails at its manifest edit (a second crash), and the writes must
  // still be found on the next open.
  const mem = new MemFs();
  const db = await T4DX.open(DIR, { fs: mem, autoCompaction: false });
  for (let i = 0; i < 10; i++) await db.put(`k/${i}`, `v${i}`);
  const wal = db.stats().walNumber;
  const crashed = mem.crashClone();
  await db.close();
  const next = Math.max(
    ...crashed.list(DIR).map((n) =>
      Number(/^(\d+)\.log$/.exec(n)?.[1] ?? /^MANIFEST-(\d+)$/.exec(n)?.[1] ?? 0)
    ),
  ) + 1;
  const pad = (n: number) => String(n).padStart(6, "0");
  crashed.rename(`${DIR}/${pad(wal)}.log`, `${DIR}/${pad(next + 2)}.log`);
  const fs = new ErrorFs(crashed);
  fs.inject({ op: "sync", path: `${DIR}/MANIFEST-*`, nth: 2 });
  const failed = await T4DX.open(DIR, { fs, autoCompaction: false }).then(
    async (d) => (await d.close(), false),
    () => true,
  );
  if (!failed) throw new Error("the injected manifest failure did not fail recovery");
  const clone = crashed.crashClone();
  const after = await T4DX.open(DIR, { fs: clone, autoCompaction: false });
  try {
    const lost = [];
    for (let i = 0; i < 10; i++) {
      const v = after.get(`k/${i}`);
      if (v === undefined || dec.decode(v) !== `v${i}`) lost.push(`k/${i}`);
    }
    if (lost.length > 0) throw new Error(`acknowledged writes lost after two crashes: ${lost.join(", ")}`);
  } finally {
    await after.close();
  }
});
