/**
 * T4DX, the embedded storage engine of T4DM: a log-structured merge tree in plain TypeScript with a
 * checksummed write-ahead log and group commit, skip-list memtables with MVCC snapshots, SSTables with
 * prefix-compressed blocks and bloom filters, a manifest of version edits, leveled background
 * compaction with a compaction-filter hook, and a single-writer directory lock. It knows nothing
 * about memories.
 *
 * @example
 * ```ts
 * import { T4DX, WriteBatch } from "./mod.ts";
 * const dir = Deno.makeTempDirSync();
 * const db = await T4DX.open(dir);
 * await db.write(new WriteBatch().put("a", "1").put("b", "2"));
 * if (db.getString("b") !== "2") throw new Error("batch not applied");
 * await db.close();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */
export {
  type Durability,
  type EngineStats,
  type IteratorOptions,
  type OpenOptions,
  type Snapshot,
  T4DX,
  type WriteOptions,
} from "./db.ts";
export { WriteBatch } from "./write_batch.ts";
export type {
  CompactionFilter,
  EmittedRecord,
  FilterDecision,
  FilterEntry,
} from "./compaction/compaction_filter.ts";
export {
  CorruptionError,
  EngineError,
  type EngineErrorCode,
  InvalidArgumentError,
  IOError,
  isCorruption,
  isInvalidArgument,
  isIOError,
  isNotFound,
  isNotSupported,
  NotFoundError,
  NotSupportedError,
} from "./errors.ts";
export type { FileLock, Fs, RandomAccessFile, WritableFile } from "./fs/fs.ts";
export { RealFs } from "./fs/real_fs.ts";
export { MemFs } from "./fs/mem_fs.ts";
