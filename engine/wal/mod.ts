/**
 * The write-ahead log of T4DX: every write batch is appended here, framed and checksummed, before it
 * reaches the memtable, so that recovery can replay what the memtable lost in a crash.
 *
 * {@linkcode WalWriter} appends records in 32 KiB blocks, one `append` per record; {@linkcode readWal}
 * reads them back, treating a torn tail as the end of the log and reporting damage in the middle. The
 * byte layout is drawn at the top of `wal_writer.ts`; the rationale is in `engine/docs/formats/wal.md`.
 *
 * @example Round trip through an in-memory file system
 * ```ts
 * import { MemFs } from "../fs/mem_fs.ts";
 * import { readWal, WalWriter } from "./mod.ts";
 * const fs = new MemFs();
 * const wal = new WalWriter(fs.openWritable("/000001.log"));
 * wal.addRecord(new TextEncoder().encode("put a=1"));
 * await wal.sync();
 * const { records, tornTail } = readWal(fs.readFile("/000001.log"), { file: "000001.log" });
 * if (new TextDecoder().decode(records[0]) !== "put a=1" || tornTail) throw new Error("round trip failed");
 * ```
 *
 * @module
 */
export * from "./wal_format.ts";
export * from "./wal_writer.ts";
export * from "./wal_reader.ts";
