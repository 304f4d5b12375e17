/**
 * Names of the files in a T4DX directory. Every file but LOCK and CURRENT carries a file number, taken
 * from one counter recorded in the manifest, so no two files ever share a number.
 *
 * | file              | what                                                  |
 * |-------------------|-------------------------------------------------------|
 * | `LOCK`            | flock'd by the one process that has the store open    |
 * | `CURRENT`         | the name of the live manifest, replaced by rename     |
 * | `MANIFEST-NNNNNN` | the version-edit log (engine/manifest/version_edit.ts) |
 * | `NNNNNN.log`      | a write-ahead log (engine/wal/wal_writer.ts)          |
 * | `NNNNNN.sst`      | a table (engine/sstable/sstable_writer.ts)            |
 * | `*.tmp`           | a file being written; removed on open                 |
 *
 * @module
 */
import { joinPath } from "./fs/fs.ts";

/** The kinds of file in a store directory. */
export type FileKind = "log" | "table" | "manifest" | "current" | "lock" | "temp" | "other";

function pad(n: number): string {
  return String(n).padStart(6, "0");
}

/** Path of WAL number `n`. */
export function logFileName(dir: string, n: number): string {
  return joinPath(dir, `${pad(n)}.log`);
}
/** Path of table number `n`. */
export function tableFileName(dir: string, n: number): string {
  return joinPath(dir, `${pad(n)}.sst`);
}
/** Path of manifest number `n`. */
export function manifestFileName(dir: string, n: number): string {
  return joinPath(dir, `MANIFEST-${pad(n)}`);
}
/** Path of CURRENT. */
export function currentFileName(dir: string): string {
  return joinPath(dir, "CURRENT");
}
/** Path of LOCK. */
export function lockFileName(dir: string): string {
  return joinPath(dir, "LOCK");
}

/**
 * Classifies a file name (not a path) and extracts its number.
 *
 * @example
 * ```ts
 * import { parseFileName } from "./filenames.ts";
 * const p = parseFileName("000012.sst");
 * if (p.kind !== "table" || p.number !== 12) throw new Error("bad parse");
 * ```
 */
export function parseFileName(name: string): { kind: FileKind; number: number } {
  if (name === "CURRENT") return { kind: "current", number: 0 };
  if (name === "LOCK") return { kind: "lock", number: 0 };
  if (name.endsWith(".tmp")) return { kind: "temp", number: 0 };
  let m = /^(\d+)\.(log|sst)$/.exec(name);
  if (m) return { kind: m[2] === "log" ? "log" : "table", number: Number(m[1]) };
  m = /^MANIFEST-(\d+)$/.exec(name);
  if (m) return { kind: "manifest", number: Number(m[1]) };
  return { kind: "other", number: 0 };
}
