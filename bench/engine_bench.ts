/**
 * Engine benchmark: T4DX against SQLite (`node:sqlite`), Deno KV and LevelDB (`classic-level`), side by
 * side in one run, on the same data and with the same durability (every commit fsync'd before it is
 * acknowledged).
 *
 * Workloads at each size N (16-byte keys, 1 KiB incompressible values, seeded):
 * - `put_sync`: durable single-key puts, one per commit, one writer, on an empty store;
 * - `put_sync_concurrent`: the same from 32 concurrent writers (engines with group commit share fsyncs;
 *   SQLite's API is synchronous, so its single-writer figure is repeated);
 * - `put_batch`: load of all N keys in shuffled order, 1000 puts per durable commit;
 * - `get`: random point gets of loaded keys (T4DX flushed first, so reads hit tables);
 * - `scan`: range scans of 100 consecutive keys from random start keys (keys per second).
 *
 * Usage: `deno task bench:engine [-- --json] [--quick | --keys N] [--engines t4dx,sqlite,...]`
 * (also `--puts`, `--gets`, `--scans` counts, `--passes` (rotating passes for puts and reads, median
 * kept), `--sqlite-page-size`).
 * `--json` prints one JSON object to stdout; otherwise a markdown table. Progress goes to stderr.
 *
 * @module
 */
import { Dataset, KEY_BYTES, VALUE_BYTES } from "./_data.ts";
import { type EngineResult, ratiosAt, renderMarkdown, type Report } from "./_report.ts";
import {
  type BenchStore,
  CACHE_BYTES,
  dirBytes,
  type EngineName,
  ioWriteBytes,
  type OpenStore,
  type StoreFacts,
} from "./_store.ts";
import { KV_MAX_BATCH, openDenoKv } from "./_store_denokv.ts";
import { loadLevelDb } from "./_store_leveldb.ts";
import { openSqlite, SQLITE_PAGE_SIZE } from "./_store_sqlite.ts";
import { getRandom, log, putBatch, putSync, putSyncConcurrent, scanRandom } from "./_workloads.ts";
import { TempDirs } from "./_temp_dirs.ts";

const SEED = 0x74346478; // "t4dx"
const BATCH = 1000;
const WRITERS = 32;
const SCAN_LEN = 100;

interface Options {
  json: boolean;
  sizes: number[];
  engines: EngineName[];
  puts: number;
  gets: number;
  scans: number;
  sqlitePageSize: number;
  passes: number;
}

function parseArgs(args: string[]): Options {
  const o: Options = {
    json: false,
    sizes: [100_000, 1_000_000],
    engines: ["t4dx", "sqlite", "denokv", "leveldb"],
    puts: 2000,
    gets: 100_000,
    scans: 2000,
    sqlitePageSize: SQLITE_PAGE_SIZE,
    passes: 3,
  };
  const num = (flag: string, v: string | undefined) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x <= 0) {
      throw new RangeError(`Cannot parse ${flag}: "${v}" is not a positive integer`);
    }
    return x;
  };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split("=", 2) as [string, string | undefined];
    const value = () => inline ?? args[++i];
    if (flag === "--") continue;
    else if (flag === "--json") o.json = true;
    else if (flag === "--quick") o.sizes = [20_000];
    else if (flag === "--keys") o.sizes = value()!.split(",").map((v) => num("--keys", v));
    else if (flag === "--puts") o.puts = num("--puts", value());
    else if (flag === "--gets") o.gets = num("--gets", value());
    else if (flag === "--scans") o.scans = num("--scans", value());
    else if (flag === "--passes") o.passes = num("--passes", value());
    else if (flag === "--sqlite-page-size") o.sqlitePageSize = num("--sqlite-page-size", value());
    else if (flag === "--engines") o.engines = value()!.split(",") as EngineName[];
    else throw new TypeError(`Cannot parse arguments: unknown flag "${flag}"`);
  }
  return o;
}

const dirs = new TempDirs("t4dx_bench_");

async function withStore<T>(open: OpenStore, fn: (s: BenchStore, dir: string) => Promise<T>): Promise<T> {
  const dir = dirs.make();
  try {
    const s = await open(dir);
    try {
      return await fn(s, dir);
    } finally {
      await s.close();
    }
  } finally {
    dirs.remove(dir);
  }
}

interface PutFigures {
  single: number;
  concurrent: number;
}

/** put_sync and put_sync_concurrent on a fresh, empty store. */
function measurePuts(open: OpenStore, o: Options, data: Dataset): Promise<PutFigures> {
  return withStore(open, async (s) => {
    const single = await putSync(s, data, { count: o.puts, warmup: 100, base: 0 });
    const concurrent = !s.concurrentWrites ? single : await putSyncConcurrent(s, data, {
      count: o.puts * 4,
      writers: WRITERS,
      base: o.puts + 100,
    });
    log(`  ${s.engine}: put_sync ${single}/s, put_sync_concurrent ${concurrent}/s`);
    return { single, concurrent };
  });
}

/** A store loaded with all keys, kept open for the read passes. */
interface Loaded {
  engine: EngineName;
  store: BenchStore;
  dir: string;
  putBatch: number;
  bytes: number;
  facts: StoreFacts;
  gets: number[];
  scans: number[];
}

/** Opens a fresh store, loads `n` keys (put_batch), settles it and takes its size and write figures. */
async function load(open: OpenStore, n: number, data: Dataset): Promise<Loaded> {
  const dir = dirs.make();
  let store: BenchStore | undefined;
  try {
    store = await open(dir);
    log(`  ${store.engine}: put_batch (${n} keys, ${BATCH} per commit)`);
    const io0 = ioWriteBytes();
    const r = await putBatch(store, data, { order: data.permutation(n, n), batch: BATCH });
    const t1 = performance.now();
    const facts: StoreFacts = await store.afterLoad();
    facts.settle_ms = Math.round(performance.now() - t1);
    const io1 = ioWriteBytes();
    const bytes = dirBytes(dir);
    if (io0 !== undefined && io1 !== undefined) {
      facts.io_write_amp = Math.round(((io1 - io0) / (n * (KEY_BYTES + VALUE_BYTES))) * 1000) / 1000;
    }
    log(`  ${store.engine}: loaded in ${(r.ms / 1000).toFixed(1)} s, ${JSON.stringify(facts)}`);
    return { engine: store.engine, store, dir, putBatch: r.opsPerSec, bytes, facts, gets: [], scans: [] };
  } catch (e) {
    await store?.close();
    dirs.remove(dir);
    throw e;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
}

function errorText(err: unknown): string {
  return plain(err instanceof Error ? err.message : String(err));
}

/** Runs every workload for every engine at size `n`. */
async function runSize(
  n: number,
  o: Options,
  data: Dataset,
  openers: Partial<Record<EngineName, OpenStore | string>>,
): Promise<Partial<Record<EngineName, EngineResult>>> {
  const row: Partial<Record<EngineName, EngineResult>> = {};
  const live: [EngineName, OpenStore][] = [];
  for (const e of o.engines) {
    const open = openers[e];
    if (open === undefined) throw new TypeError(`Cannot run engine "${e}": unknown engine`);
    if (typeof open !== "string") live.push([e, open]);
    else row[e] = e === "leveldb" ? { skipped: plain(open) } : { error: plain(open) };
  }
  // The fsync-bound puts run in passes that rotate the engine order, and each engine keeps its median,
  // so that a burst of disk load from other processes does not land on one engine only.
  const samples = new Map<EngineName, PutFigures[]>(live.map(([e]) => [e, []]));
  for (let pass = 0; pass < o.passes; pass++) {
    log(`puts @ ${n} keys: pass ${pass + 1}/${o.passes}`);
    for (let i = 0; i < live.length; i++) {
      const [e, open] = live[(i + pass) % live.length]!;
      if (row[e]?.error !== undefined) continue;
      try {
        samples.get(e)!.push(await measurePuts(open, o, data));
      } catch (err) {
        row[e] = { error: errorText(err) };
        log(`  ${e}: FAILED: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
  }
  // Loads run one engine at a time; the loaded stores then stay open and the reads run in passes that
  // rotate the engine order, each engine keeping its median pass, like the puts.
  const loaded: Loaded[] = [];
  try {
    for (const [e, open] of live) {
      if (row[e]?.error !== undefined) continue;
      log(`load @ ${n} keys: ${e}`);
      try {
        loaded.push(await load(open, n, data));
      } catch (err) {
        row[e] = { error: errorText(err) };
        log(`  ${e}: FAILED: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
    const gets = Math.max(1, Math.round(Math.min(o.gets, n) / o.passes));
    const scans = Math.max(1, Math.round(o.scans / o.passes));
    for (let pass = 0; pass < o.passes; pass++) {
      log(
        `reads @ ${n} keys: pass ${pass + 1}/${o.passes} (${gets} gets, ${scans} scans of ${SCAN_LEN} each)`,
      );
      for (let i = 0; i < loaded.length; i++) {
        const l = loaded[(i + pass) % loaded.length]!;
        if (row[l.engine]?.error !== undefined) continue;
        try {
          l.gets.push(await getRandom(l.store, data, { n, count: gets, pass }));
          l.scans.push(await scanRandom(l.store, data, { n, count: scans, len: SCAN_LEN, pass }));
          log(`  ${l.engine}: get ${l.gets.at(-1)}/s, scan ${l.scans.at(-1)} keys/s`);
        } catch (err) {
          row[l.engine] = { error: errorText(err) };
          log(`  ${l.engine}: FAILED: ${err instanceof Error ? err.stack : String(err)}`);
        }
      }
    }
    for (const l of loaded) {
      if (row[l.engine]?.error !== undefined) continue;
      const puts = samples.get(l.engine)!;
      // The report's field order: throughputs, size, the engine's own write amplification, then extras.
      row[l.engine] = {
        put_sync: median(puts.map((f) => f.single)),
        put_sync_concurrent: median(puts.map((f) => f.concurrent)),
        put_batch: l.putBatch,
        get: median(l.gets),
        scan: median(l.scans),
        bytes_on_disk: l.bytes,
        write_amp: null,
        ...l.facts,
      };
    }
  } finally {
    for (const l of loaded) {
      await l.store.close();
      dirs.remove(l.dir);
    }
  }
  return row;
}

/** `msg` without terminal colour codes, on one line. */
function plain(msg: string): string {
  // deno-lint-ignore no-control-regex
  return msg.replace(/\x1b\[[0-9;]*m/g, "").replace(/\s*\n\s*/g, " ");
}

async function main(): Promise<void> {
  const o = parseArgs(Deno.args);
  dirs.watchSignals();
  const openers: Partial<Record<EngineName, OpenStore | string>> = {
    // Loaded dynamically so that a T4DX that fails to load is reported as an error, not a crash.
    t4dx: await import("./_store_t4dx.ts").then((m) => m.openT4dx, (e) => `T4DX failed to load: ${e}`),
    sqlite: (dir) => openSqlite(dir, o.sqlitePageSize),
    denokv: openDenoKv,
    leveldb: await loadLevelDb(),
  };
  const report: Report = {
    keys: o.sizes,
    results: {},
    ratios: {},
    config: {
      key_bytes: KEY_BYTES,
      value_bytes: VALUE_BYTES,
      seed: SEED,
      put_sync_count: o.puts,
      put_sync_concurrent_count: o.puts * 4,
      put_sync_concurrent_writers: WRITERS,
      put_sync_passes: o.passes,
      put_batch_size: BATCH,
      denokv_batch_size: KV_MAX_BATCH,
      gets: o.gets,
      scans: o.scans,
      scan_len: SCAN_LEN,
      cache_bytes: CACHE_BYTES,
      sqlite_page_size: o.sqlitePageSize,
    },
    notes: [
      "Every engine fsyncs each commit before acknowledging it: T4DX durability 'sync', SQLite " +
      "journal_mode=WAL + synchronous=FULL, Deno KV (SQLite WAL, default synchronous=FULL), LevelDB " +
      "{ sync: true }.",
      `SQLite uses ${o.sqlitePageSize}-byte pages (--sqlite-page-size): with the default 4096 a 1 KiB ` +
      "WITHOUT ROWID row spills into an overflow page, which costs SQLite several times the disk and speed.",
      "After the load each engine settles, untimed but reported as settle_ms, before the size is taken " +
      "and reads start: T4DX flush() (which also waits for the background compactions in flight), SQLite " +
      "wal_checkpoint(TRUNCATE); Deno KV and LevelDB have nothing to call (LevelDB keeps compacting in " +
      "its own threads). Read caches: 64 MiB for T4DX, " +
      "SQLite and LevelDB; Deno KV cannot be tuned (SQLite default).",
      `put_sync and put_sync_concurrent run on a fresh, empty store, in ${o.passes} passes that rotate the ` +
      "engine order; each figure is the engine's median pass. put_batch loads a second store with all N " +
      "keys in shuffled order (one engine at a time); get and scan then run on the loaded stores, all " +
      "open at once, in the same kind of rotating passes (gets and scans split evenly over the passes).",
      "SQLite's API is synchronous, so concurrent writers cannot share a commit: its put_sync_concurrent " +
      "repeats its single-writer put_sync figure.",
      `Deno KV limits an atomic commit to 800 KiB, so its put_batch commits ${KV_MAX_BATCH} puts at a time.`,
      "Deno KV gets and scans are asynchronous (one await per call); T4DX, SQLite and LevelDB (getSync) " +
      "gets are synchronous, LevelDB scans are asynchronous.",
      "write_amp is the engine's own figure after the load and settle: T4DX stats().writeAmplification " +
      "((WAL + flush + compaction bytes) / user bytes); LevelDB 1 + (flush + compaction MB from " +
      "leveldb.stats) / user MB, approximate; null where the engine reports none. io_write_amp is bytes the process wrote to storage during load + settle " +
      "(/proc/self/io) over user bytes, for every engine.",
    ],
  };
  const data = new Dataset(SEED);
  for (const n of o.sizes) report.results[String(n)] = await runSize(n, o, data, openers);
  dirs.unwatchSignals();
  report.ratios = ratiosAt(report, Math.max(...o.sizes));
  if (o.json) console.log(JSON.stringify(report));
  else console.log(renderMarkdown(report));
}

if (import.meta.main) await main();
