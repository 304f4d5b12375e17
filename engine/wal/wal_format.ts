/**
 * On-disk constants of the write-ahead log (WAL). The byte layout is drawn at the top of
 * `wal_writer.ts`; the rationale is in `engine/docs/formats/wal.md`.
 *
 * @module
 */
import { crc32c } from "../util/crc32c.ts";

// ------------------------------------------------------------------------------------------------------
// ON DISK, NEVER CHANGE. Every WAL ever written depends on these values. A change in layout is a new
// WalFormatVersion that readers branch on, never an edit here.
// ------------------------------------------------------------------------------------------------------

/** ON DISK, NEVER CHANGE: the file magic, u32 LE at offset 0; the bytes "T4DW" in file order. */
export const WAL_MAGIC = 0x57443454;
/** ON DISK, NEVER CHANGE: bytes of the file header (magic u32 LE, then format version u32 LE). */
export const WAL_FILE_HEADER_SIZE = 8;
/** ON DISK, NEVER CHANGE: the log is cut into blocks of this many bytes, counted from file offset 0. */
export const WAL_BLOCK_SIZE = 32768;
/** ON DISK, NEVER CHANGE: bytes of a record header (masked CRC u32 LE, length u16 LE, type u8). */
export const WAL_RECORD_HEADER_SIZE = 7;

/**
 * ON DISK, NEVER CHANGE: the type byte of a physical record. `Zero` is never written as a record: it is
 * what zero-filled (pre-allocated or lost) space decodes to. Types 5 to 255 are unassigned; none has been
 * retired. A retired number is listed here and never reused.
 *
 * @example A record that fits in its block is one Full record
 * ```ts
 * import { WalRecordType } from "./wal_format.ts";
 * if (WalRecordType.Full !== 1 || WalRecordType.Last !== 4) throw new Error("record types moved");
 * ```
 */
export const WalRecordType = {
  /** Zero padding; never a record. */
  Zero: 0,
  /** A whole logical record. */
  Full: 1,
  /** The first fragment of a logical record that spans blocks. */
  First: 2,
  /** An inner fragment. */
  Middle: 3,
  /** The final fragment. */
  Last: 4,
} as const;

/**
 * WAL format versions: what each one added. A reader accepts versions from
 * {@linkcode WAL_OLDEST_READABLE_VERSION} to {@linkcode WAL_FORMAT_VERSION} and refuses the rest with a
 * `NotSupportedError`.
 *
 * @example The version a new log is written with
 * ```ts
 * import { WAL_FORMAT_VERSION, WalFormatVersion } from "./wal_format.ts";
 * if (WAL_FORMAT_VERSION !== WalFormatVersion.V1) throw new Error("unexpected current version");
 * ```
 */
export enum WalFormatVersion {
  /** The first version: 8-byte file header, 32 KiB blocks, 7-byte record headers, types Full to Last. */
  V1 = 1,
}

// ------------------------------------------------------------------------------------------ end of fence

/** The version new logs are written with. */
export const WAL_FORMAT_VERSION: WalFormatVersion = WalFormatVersion.V1;
/** The oldest version this build still reads. */
export const WAL_OLDEST_READABLE_VERSION: WalFormatVersion = WalFormatVersion.V1;

/**
 * `WAL_TYPE_CRC[t]` is the CRC-32C of the single byte `t`. A record's checksum covers its type byte and
 * then its payload, so it is computed as `crc32c(payload, WAL_TYPE_CRC[type])`. Derived, not stored.
 *
 * @example It extends like a CRC of the type byte
 * ```ts
 * import { WAL_TYPE_CRC } from "./wal_format.ts";
 * import { crc32c } from "../util/crc32c.ts";
 * const payload = new Uint8Array([9, 8, 7]);
 * if (crc32c(payload, WAL_TYPE_CRC[1]) !== crc32c(new Uint8Array([1, 9, 8, 7]))) throw new Error("bad");
 * ```
 */
export const WAL_TYPE_CRC: Uint32Array = (() => {
  const table = new Uint32Array(256);
  const one = new Uint8Array(1);
  for (let t = 0; t < 256; t++) {
    one[0] = t;
    table[t] = crc32c(one);
  }
  return table;
})();

// Types of the reader API (readWal in wal_reader.ts).

/** A stretch of the log that was dropped because of damage in the middle of the log. */
export interface WalCorruption {
  /** File offset of the first dropped byte. */
  offset: number;
  /** Bytes dropped (adjacent drops are merged into one). */
  bytes: number;
  /** What was wrong where it was first noticed, for example `checksum mismatch at offset 32775`. */
  reason: string;
}

/** Options of `readWal`. */
export interface WalReadOptions {
  /** The file's name, used in error messages. */
  file: string;
  /**
   * Called once per {@linkcode WalCorruption}, as soon as a good record after it proves it is not a
   * torn tail; never for the tail itself.
   * @default undefined (corruptions are only returned)
   */
  reporter?: (bytesDropped: number, reason: string) => void;
  /**
   * Treat a complete record with a bad checksum (or type) at the tail as corruption, not as a torn
   * tail. For logs whose records are each fsync'd before they are relied on (the manifest): a crash
   * can cut such a log short, but cannot leave a complete record with wrong bytes.
   * @default false
   */
  strictTail?: boolean;
}

/** What `readWal` found. */
export interface WalReadResult {
  /** The logical records in log order. Unfragmented ones are views into the input; do not mutate it. */
  records: Uint8Array[];
  /**
   * Offset just after the last good record: what to truncate the file to before appending. The header
   * size (8) when there are no records; 0 when the file is empty or even its header is torn.
   */
  validLength: number;
  /** Whether bytes after `validLength` were dropped as a torn tail (a partial write or zero fill). */
  tornTail: boolean;
  /** Damage in the middle of the log, in file order. */
  corruptions: WalCorruption[];
}
