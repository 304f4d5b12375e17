/**
 * Corruption suite: damage one file of a crash-consistent store (flipped bits, flipped bytes, cut-short
 * files) and reopen it. For every file kind the engine must either report a `CorruptionError` that names
 * the damaged file or return exactly the right data; it must never return a wrong value, a resurrected
 * value or a half-applied batch. Bounds per kind:
 *
 * | kind     | damage                  | allowed outcome                                                  |
 * |----------|-------------------------|------------------------------------------------------------------|
 * | WAL      | flip before last record | open throws naming the WAL                                       |
 * | WAL      | flip in last record     | that too, or the store without exactly that (atomic) batch        |
 * | WAL      | cut short anywhere      | the store as of some prefix of the logged batches                |
 * | table    | flip, or cut short      | reading everything reports the table; every value read is right |
 * | manifest | flip (also in the last  | open throws naming the manifest, or every value is right; a      |
 * |          | edit, after a crash)    | damaged last edit is not a torn tail once its WAL is gone         |
 * | CURRENT  | flip (all 128 bits)     | open throws naming CURRENT, or every value is right              |
 *
 * @module
 */
import { T4DX } from "../engine/db.ts";
import { isCorruption, isNotSupported } from "../engine/errors.ts";
import { MemFs } from "../engine/fs/mem_fs.ts";
import { ErrorFs } from "../engine/fs/error_fs.ts";
import { RealFs } from "../engine/fs/real_fs.ts";
import type { Fs } from "../engine/fs/fs.ts";
import { mulberry32, type Rng } from "../engine/util/rng.ts";
import { WriteBatch } from "../engine/write_batch.ts";

const DIR = "/db";
const dec = new TextDecoder();
const REOPEN = { autoCompaction: false } as const;

type Model = Map<string, string>;

/** A store frozen by a crash, and what it must contain. */
interface Fixture {
  base: MemFs;
  /** Contents after every acknowledged write. */
  model: Model;
  /** Contents without the last WAL batch. */
  beforeLast: Model;
  /** Contents after 0, 1, ... of the batches that are only in the WAL. */
  walPrefixes: Model[];
  /** Every key ever written, deleted ones included. */
  keys: string[];
  wal: string;
  /** Offset of the WAL's last record. */
  lastStart: number;
  manifest: string;
  /** Live tables. */
  tables: string[];
  /** The table layout, one table a line (`T4DX.debugLayout()`). */
  layout: string;
}

const pad = (n: number) => String(n).padStart(6, "0");

function value(rng: Rng, key: string, max: number): string {
  const len = 10 + Math.floor(rng() * max);
  let s = `${key}#${Math.floor(rng() * 1e9)}:`;
  while (s.length < len) s += "xyzw0123456789"[Math.floor(rng() * 14)];
  return s;
}

/** Writes rounds of puts and deletes: three become tables (two compacted), the last stays in the WAL. */
async function writeStore(fs: Fs, dir: string, seed: number) {
  const rng = mulberry32(seed);
  const db = await T4DX.open(dir, {
    fs,
    autoCompaction: false,
    targetFileBytes: 16 << 10,
    memtableBytes: 8 << 20,
  });
  const model: Model = new Map();
  const keys = new Set<string>();
  const key = (i: number) => `key/${String(i).padStart(5, "0")}`;
  const round = async (n: number, space: number) => {
    for (let j = 0; j < n; j++) {
      const k = key(Math.floor(rng() * space));
      keys.add(k);
      if (model.has(k) && rng() < 0.25) {
        await db.delete(k);
        model.delete(k);
      } else {
        const v = value(rng, k, 300);
        await db.put(k, v);
        model.set(k, v);
      }
    }
  };
  await round(500, 600);
  await db.flush();
  await round(200, 600);
  await db.flush();
  await db.compact();
  await round(120, 700);
  await db.flush();
  await round(120, 700);
  await db.flush();
  return { db, model, keys, rng, key };
}

async function buildFixture(seed: number): Promise<Fixture> {
  const mem = new MemFs();
  const { db, model, keys, rng, key } = await writeStore(mem, DIR, seed);
  const walPrefixes: Model[] = [new Map(model)];
  const wal = `${DIR}/${pad(db.stats().walNumber)}.log`;
  let lastStart = 0;
  for (let b = 0; b < 40; b++) {
    if (b === 39) lastStart = mem.readFile(wal).length;
    const wb = new WriteBatch();
    const ops = b === 39 ? 5 : 1 + Math.floor(rng() * 4);
    for (let j = 0; j < ops; j++) {
      const k = key(Math.floor(rng() * 800));
      keys.add(k);
      if (model.has(k) && (rng() < 0.2 || (b === 39 && j === 0))) {
        wb.delete(k);
        model.delete(k);
      } else {
        const v = value(rng, k, 2000);
        wb.put(k, v);
        model.set(k, v);
      }
    }
    await db.write(wb);
    walPrefixes.push(new Map(model));
  }
  const base = mem.crashClone();
  const layout = db.debugLayout();
  const tables = layout.split("\n").map((l) => /^L\d+ (\d+) /.exec(l)?.[1])
    .filter((n): n is string => n !== undefined).map((n) => `${DIR}/${n}.sst`);
  const manifest = `${DIR}/MANIFEST-${pad(db.stats().manifestNumber)}`;
  await db.close();
  return {
    base,
    model,
    beforeLast: walPrefixes[walPrefixes.length - 2]!,
    walPrefixes,
    keys: [...keys].sort(),
    wal,
    lastStart,
    manifest,
    tables,
    layout,
  };
}

function names(e: unknown, path: string): boolean {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const file = (e as { file?: unknown }).file;
  return (typeof file === "string" && file.endsWith(base)) || String((e as Error).message).includes(base);
}

function describe(e: unknown): string {
  const x = e as { name?: string; code?: string; file?: string; message?: string };
  return `${x.name}(${x.code ?? "-"}, file=${x.file ?? "-"}): ${x.message ?? String(e)}`;
}

/** What reading every key (one scan and one get per key) gave. */
interface ReadOutcome {
  /** CorruptionErrors naming the damaged file. */
  reported: number;
  /** Wrong values, missing or extra keys, and unexpected errors. */
  wrong: string[];
}

function readAll(db: T4DX, want: Model, keys: string[], damaged: string): ReadOutcome {
  const out: ReadOutcome = { reported: 0, wrong: [] };
  const caught = (where: string, e: unknown) => {
    if (isCorruption(e) && names(e, damaged)) out.reported++;
    else out.wrong.push(`${where}: unexpected ${describe(e)}`);
  };
  const sorted = [...want].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  let j = 0;
  let it: ReturnType<T4DX["iterator"]> | undefined;
  try {
    it = db.iterator();
    for (const [k, v] of it) {
      const key = dec.decode(k), val = dec.decode(v);
      const w = sorted[j++];
      if (w === undefined || w[0] !== key || w[1] !== val) {
        out.wrong.push(
          `scan #${j - 1}: got ${key}=${val.slice(0, 24)}, want ${w?.[0]}=${w?.[1].slice(0, 24)}`,
        );
        break;
      }
    }
    if (out.wrong.length === 0 && j < sorted.length) {
      out.wrong.push(`scan ended after ${j} of ${sorted.length}`);
    }
  } catch (e) {
    caught(`scan after ${j} keys`, e);
  } finally {
    it?.close();
  }
  for (const k of keys) {
    try {
      const got = db.getString(k);
      if (got !== want.get(k)) {
        out.wrong.push(`get ${k}: got ${got?.slice(0, 24)}, want ${want.get(k)?.slice(0, 24)}`);
      }
    } catch (e) {
      caught(`get ${k}`, e);
    }
  }
  return out;
}

/** Opens the damaged store and says what happened, as one line; `ok` false when a bound was broken. */
async function openAndRead(
  fs: Fs,
  dir: string,
  damaged: string,
  accept: { models: Model[]; keys: string[]; mustReport: boolean; headerMayBeUnsupported?: boolean },
): Promise<{ ok: boolean; line: string }> {
  let db: T4DX;
  try {
    db = await T4DX.open(dir, { fs, ...REOPEN });
  } catch (e) {
    const fine = (isCorruption(e) || (accept.headerMayBeUnsupported === true && isNotSupported(e))) &&
      names(e, damaged);
    return { ok: fine, line: `open threw ${describe(e)}` };
  }
  try {
    if (accept.models.length === 0) return { ok: false, line: "opened although nothing can be read" };
    let best: ReadOutcome | undefined;
    for (const m of accept.models) {
      const r = readAll(db, m, accept.keys, damaged);
      if (!best || r.wrong.length < best.wrong.length) best = r;
      if (r.wrong.length === 0) break;
    }
    const r = best!;
    const ok = r.wrong.length === 0 && (!accept.mustReport || r.reported > 0);
    const line = `opened; ${r.reported} reads reported the damage` +
      (r.wrong.length > 0 ? `; WRONG: ${r.wrong.slice(0, 3).join(" | ")}` : "") +
      (accept.mustReport && r.reported === 0 ? "; the damage was never reported" : "");
    return { ok, line };
  } finally {
    await db.close().catch(() => {});
  }
}

/** Collects trial results and fails with all of them in one message. */
class Trials {
  readonly #bad: string[] = [];
  #count = 0;
  readonly #outcomes = new Map<string, number>();
  add(label: string, r: { ok: boolean; line: string }): void {
    this.#count++;
    const kind = r.line.startsWith("open threw") ? "open threw" : r.line.split(";")[0]!;
    this.#outcomes.set(kind, (this.#outcomes.get(kind) ?? 0) + 1);
    if (!r.ok) this.#bad.push(`${label}: ${r.line}`);
  }
  check(what: string): void {
    if (this.#bad.length === 0) return;
    throw new Error(
      `${what}: ${this.#bad.length} of ${this.#count} trials broke a bound ` +
        `(outcomes ${JSON.stringify(Object.fromEntries(this.#outcomes))}):\n` +
        this.#bad.slice(0, 40).join("\n"),
    );
  }
}

let built: Promise<Fixture> | undefined;
/** The shared fixture, built on first use (every test only reads crash clones of it). */
function fixture(): Promise<Fixture> {
  return built ??= buildFixture(20240607);
}

Deno.test("the corruption fixture has tables on two levels, a manifest and a WAL of 40 batches", async () => {
  const f = await fixture();
  const files = f.base.list(DIR);
  const state = JSON.stringify({
    files,
    layout: f.layout,
    wal: f.wal,
    manifest: f.manifest,
    lastStart: f.lastStart,
  });
  if (
    f.tables.length < 3 || !/^L0 /m.test(f.layout) || !/^L[1-9] /m.test(f.layout) ||
    !files.includes(f.wal.slice(DIR.length + 1)) ||
    !files.includes(f.manifest.slice(DIR.length + 1))
  ) {
    throw new Error(`fixture is not what the suite needs: ${state}`);
  }
  const r = await openAndRead(f.base.crashClone(), DIR, "-", {
    models: [f.model],
    keys: f.keys,
    mustReport: false,
  });
  if (!r.ok) throw new Error(`undamaged fixture reads wrong: ${r.line} ${state}`);
});

Deno.test("a bit flipped in the WAL is reported, except in the last record, which may only be dropped whole", async () => {
  const f = await fixture();
  const size = f.base.readFile(f.wal).length;
  const rng = mulberry32(1);
  const trials = new Trials();
  const offsets = [0, 3, 4, 7, 8, 9, 14, f.lastStart, f.lastStart + 6, size - 1];
  while (offsets.length < 120) offsets.push(Math.floor(rng() * size));
  for (const off of offsets) {
    const bit = Math.floor(rng() * 8);
    const fs = f.base.crashClone();
    fs.flipBit(f.wal, off, bit);
    const tail = off >= f.lastStart;
    trials.add(
      `${f.wal} offset ${off}/${size} bit ${bit}${tail ? " (last record)" : ""}`,
      await openAndRead(fs, DIR, f.wal, {
        models: tail ? [f.model, f.beforeLast] : [f.model],
        keys: f.keys,
        mustReport: false,
        headerMayBeUnsupported: off >= 4 && off < 8,
      }),
    );
  }
  trials.check("WAL bit flips");
});

Deno.test("a bit flipped anywhere in a live table is reported by the reads that touch it and never misread", async () => {
  const f = await fixture();
  const rng = mulberry32(2);
  const trials = new Trials();
  for (let t = 0; t < 120; t++) {
    const table = f.tables[t % f.tables.length]!;
    const size = f.base.readFile(table).length;
    // Every fourth trial hits the footer and metadata at the end of the file.
    const off = t % 4 === 3 ? size - 1 - Math.floor(rng() * Math.min(size, 200)) : Math.floor(rng() * size);
    const bit = Math.floor(rng() * 8);
    const fs = f.base.crashClone();
    fs.flipBit(table, off, bit);
    trials.add(
      `${table} offset ${off}/${size} bit ${bit}`,
      await openAndRead(fs, DIR, table, { models: [f.model], keys: f.keys, mustReport: true }),
    );
  }
  trials.check("table bit flips");
});

Deno.test("a run of damaged bytes in a table is reported and never misread", async () => {
  const f = await fixture();
  const rng = mulberry32(3);
  const trials = new Trials();
  for (let t = 0; t < 40; t++) {
    const table = f.tables[t % f.tables.length]!;
    const size = f.base.readFile(table).length;
    const start = Math.floor(rng() * size);
    const len = 1 + Math.floor(rng() * 16);
    const fs = f.base.crashClone();
    for (let o = start; o < Math.min(size, start + len); o++) fs.flipBit(table, o, Math.floor(rng() * 8));
    trials.add(
      `${table} bytes ${start}..${start + len} of ${size}`,
      await openAndRead(fs, DIR, table, { models: [f.model], keys: f.keys, mustReport: true }),
    );
  }
  trials.check("table byte runs");
});

Deno.test("a table cut short is reported by name and never misread", async () => {
  const f = await fixture();
  const rng = mulberry32(4);
  const trials = new Trials();
  for (let t = 0; t < 30; t++) {
    const table = f.tables[t % f.tables.length]!;
    const size = f.base.readFile(table).length;
    const keep = t < f.tables.length
      ? 0
      : t % 3 === 0
      ? size - 1 - Math.floor(rng() * 60)
      : Math.floor(rng() * size);
    const fs = f.base.crashClone();
    fs.truncate(table, keep);
    trials.add(
      `${table} cut to ${keep} of ${size}`,
      await openAndRead(fs, DIR, table, { models: [f.model], keys: f.keys, mustReport: true }),
    );
  }
  trials.check("truncated tables");
});

Deno.test("a compaction over a damaged table fails naming it and leaves every value readable or reported", async () => {
  const f = await fixture();
  const rng = mulberry32(5);
  const results: string[] = [];
  for (let t = 0; t < 6; t++) {
    const table = f.tables[t % f.tables.length]!;
    const size = f.base.readFile(table).length;
    const fs = f.base.crashClone();
    fs.flipBit(table, Math.floor(rng() * size), Math.floor(rng() * 8));
    const db = await T4DX.open(DIR, { fs, ...REOPEN });
    let compacted: string;
    try {
      await db.compact();
      compacted = "compact() resolved";
    } catch (e) {
      compacted = isCorruption(e) || isCorruption((e as Error).cause) ? "" : `compact() threw ${describe(e)}`;
      if (compacted === "" && !names(e, table) && !names((e as Error).cause, table)) {
        compacted = `compact() threw without naming the table: ${describe(e)}`;
      }
    }
    const r = readAll(db, f.model, f.keys, table);
    await db.close().catch(() => {});
    if (compacted !== "" || r.wrong.length > 0) {
      results.push(`${table}: ${compacted}; wrong: ${r.wrong.slice(0, 3).join(" | ")}`);
    }
  }
  if (results.length > 0) throw new Error(`compaction over damage:\n${results.join("\n")}`);
});

Deno.test("a WAL cut short anywhere recovers some prefix of its batches", async () => {
  const f = await fixture();
  const size = f.base.readFile(f.wal).length;
  const rng = mulberry32(6);
  const trials = new Trials();
  const cuts = [0, 4, 7, 8, 9, f.lastStart, f.lastStart + 1, size - 1];
  while (cuts.length < 60) cuts.push(Math.floor(rng() * size));
  for (const keep of cuts) {
    const fs = f.base.crashClone();
    fs.truncate(f.wal, keep);
    // Candidates newest first; a cut can only lose batches at the end.
    trials.add(
      `${f.wal} cut to ${keep} of ${size}`,
      await openAndRead(fs, DIR, f.wal, {
        models: [...f.walPrefixes].reverse(),
        keys: f.keys,
        mustReport: false,
      }),
    );
  }
  trials.check("truncated WAL");
});

Deno.test("a bit flipped in the manifest is reported or harmless, never a wrong or lost value", async () => {
  const f = await fixture();
  const size = f.base.readFile(f.manifest).length;
  const rng = mulberry32(7);
  const trials = new Trials();
  const offsets = [0, 4, 8, 15, size - 1];
  while (offsets.length < 100) offsets.push(Math.floor(rng() * size));
  for (const off of offsets) {
    const bit = Math.floor(rng() * 8);
    const fs = f.base.crashClone();
    fs.flipBit(f.manifest, off, bit);
    trials.add(
      `${f.manifest} offset ${off}/${size} bit ${bit}`,
      await openAndRead(fs, DIR, f.manifest, {
        models: [f.model],
        keys: f.keys,
        mustReport: false,
        headerMayBeUnsupported: off >= 4 && off < 8,
      }),
    );
  }
  trials.check("manifest bit flips");
});

Deno.test("every single-bit flip of CURRENT is reported naming CURRENT or is harmless", async () => {
  const f = await fixture();
  const cur = `${DIR}/CURRENT`;
  const size = f.base.readFile(cur).length;
  const trials = new Trials();
  for (let off = 0; off < size; off++) {
    for (let bit = 0; bit < 8; bit++) {
      const fs = f.base.crashClone();
      fs.flipBit(cur, off, bit);
      const text = JSON.stringify(dec.decode(fs.readFile(cur)));
      trials.add(
        `CURRENT byte ${off} bit ${bit} (${text})`,
        await openAndRead(fs, DIR, cur, { models: [f.model], keys: f.keys, mustReport: false }),
      );
    }
  }
  trials.check("CURRENT bit flips");
});

Deno.test("an empty CURRENT or manifest is reported by name", async () => {
  const f = await fixture();
  const trials = new Trials();
  for (const file of [`${DIR}/CURRENT`, f.manifest]) {
    const fs = f.base.crashClone();
    fs.truncate(file, 0);
    trials.add(
      `${file} cut to 0`,
      await openAndRead(fs, DIR, file, { models: [], keys: f.keys, mustReport: true }),
    );
  }
  trials.check("empty metadata files");
});

Deno.test("on the real file system a flipped or cut table is reported by name and never misread", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "t4dx_corruption_" });
  const real = new RealFs();
  try {
    const { db, model, keys } = await writeStore(real, dir, 99);
    const tables = db.debugLayout().split("\n").map((l) => /^L\d+ (\d+) /.exec(l)?.[1])
      .filter((n): n is string => n !== undefined).map((n) => `${dir}/${n}.sst`);
    await db.close();
    const rng = mulberry32(8);
    const trials = new Trials();
    for (let t = 0; t < 6; t++) {
      const table = tables[t % tables.length]!;
      const original = Deno.readFileSync(table);
      const off = Math.floor(rng() * original.length);
      const damaged = original.slice();
      let label: string;
      if (t % 2 === 0) {
        damaged[off]! ^= 1 << Math.floor(rng() * 8);
        label = `${table} byte ${off}/${original.length} flipped`;
        Deno.writeFileSync(table, damaged);
      } else {
        label = `${table} cut to ${off}/${original.length}`;
        Deno.writeFileSync(table, original.subarray(0, off));
      }
      trials.add(
        label,
        await openAndRead(real, dir, table, { models: [model], keys: [...keys], mustReport: true }),
      );
      Deno.writeFileSync(table, original);
    }
    trials.check("real-fs table damage");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a bit flipped in the last manifest edit is reported even when the WAL that edit retired is gone", async () => {
  // Crash just before the second flush's manifest edit: by then the first flush's WAL has been removed
  // and the removal synced, so the first flush's edit (now the manifest's last record) is the only
  // record of that data. Damage to it must be reported, not taken for a torn tail.
  const mem = new MemFs();
  const fs = new ErrorFs(mem);
  const db = await T4DX.open(DIR, { fs, autoCompaction: false });
  const manifest = `${DIR}/MANIFEST-${pad(db.stats().manifestNumber)}`;
  const model: Model = new Map();
  for (let i = 0; i < 20; i++) model.set(`a/${i}`, `A${i}`);
  for (const [k, v] of model) await db.put(k, v);
  const start = mem.readFile(manifest).length;
  await db.flush();
  const end = mem.readFile(manifest).length;
  for (let i = 0; i < 20; i++) model.set(`b/${i}`, `B${i}`);
  for (let i = 0; i < 20; i++) await db.put(`b/${i}`, `B${i}`);
  let clone: MemFs | undefined;
  fs.onCall = (c) => {
    if (!clone && c.op === "append" && c.path === manifest) clone = mem.crashClone();
  };
  await db.flush();
  await db.close();
  const trials = new Trials();
  for (let off = start; off < end; off++) {
    const bit = off % 8;
    const fs2 = clone!.crashClone();
    fs2.flipBit(manifest, off, bit);
    trials.add(
      `${manifest} offset ${off} bit ${bit} (last edit spans ${start}..${end}; files ${
        fs2.list(DIR).join(" ")
      })`,
      await openAndRead(fs2, DIR, manifest, { models: [model], keys: [...model.keys()], mustReport: false }),
    );
  }
  trials.check("last manifest edit flips");
});
