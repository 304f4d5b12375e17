/**
 * The common face the benchmark puts on each engine, plus disk and I/O accounting helpers.
 *
 * Every adapter commits durably: a write resolves (or returns) only after its commit was fsync'd.
 * Methods return a plain value when the engine's API is synchronous and a promise when it is not, so
 * the harness awaits only what really is asynchronous.
 *
 * @module
 */

/** Names of the engines, as used in the JSON report. */
export type EngineName = "t4dx" | "sqlite" | "denokv" | "leveldb";

/** Read cache given to each engine that has one (T4DX block cache, SQLite page cache, LevelDB block cache). */
export const CACHE_BYTES = 64 << 20;

/** A key and its value. */
export type Entry = readonly [key: Uint8Array, value: Uint8Array];

/** Extra figures an adapter reports about itself after the load. */
export type StoreFacts = Record<string, number | boolean | string>;

/** One open store under test. */
export interface BenchStore {
  readonly engine: EngineName;
  /** Whether overlapping `put()` calls can share one commit; false when the API is synchronous. */
  readonly concurrentWrites: boolean;
  /** Most operations one durable commit accepts; bigger batches are split by the adapter. */
  readonly maxBatch: number;
  /** One durable put, committed alone. */
  put(key: Uint8Array, value: Uint8Array): void | Promise<void>;
  /** Durable puts of every entry, in commits of at most `maxBatch` operations. */
  putMany(entries: readonly Entry[]): void | Promise<void>;
  /** The value of `key`, or undefined. */
  get(key: Uint8Array): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** Reads up to `limit` consecutive entries from `start` (inclusive); returns how many it read. */
  scan(start: Uint8Array, limit: number): number | Promise<number>;
  /** Called once after the load, before reads: settles what the engine must settle and reports facts. */
  afterLoad(): Promise<StoreFacts>;
  /** Closes the store and releases everything it holds (timers, threads, locks). */
  close(): Promise<void>;
}

/** Opens a store of one engine in an empty directory. */
export type OpenStore = (dir: string) => Promise<BenchStore>;

/** Total size in bytes of the regular files under `dir`. */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const e of Deno.readDirSync(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) total += dirBytes(p);
    else if (e.isFile) total += Deno.statSync(p).size;
  }
  return total;
}

/**
 * Bytes this process (all its threads) has caused to be written to storage so far, from
 * `/proc/self/io` (`write_bytes - cancelled_write_bytes`), or undefined where that file is missing.
 */
export function ioWriteBytes(): number | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync("/proc/self/io");
  } catch {
    return undefined;
  }
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, "m").exec(text)?.[1] ?? NaN);
  const w = field("write_bytes") - field("cancelled_write_bytes");
  return Number.isFinite(w) ? w : undefined;
}
