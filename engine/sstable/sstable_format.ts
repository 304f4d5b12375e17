/**
 * Constants and types of the T4DX SSTable format. The byte layout is specified at the top of
 * `sstable_writer.ts`; the rationale is in `engine/docs/formats/sstable.md`.
 *
 * @example The footer is a fixed 52 bytes ending in the magic
 * ```ts
 * import { FOOTER_SIZE, SSTABLE_MAGIC_HI, SSTABLE_MAGIC_LO } from "./sstable_format.ts";
 * if (FOOTER_SIZE !== 52) throw new Error("footer size changed");
 * if (SSTABLE_MAGIC_LO !== 0x58443454 || SSTABLE_MAGIC_HI !== 0x8a545353) throw new Error("magic changed");
 * ```
 *
 * @module
 */
import type { BlockCache } from "./block_cache.ts";

/**
 * Versions of the SSTable format. Each names what it added; readers accept
 * {@linkcode SSTABLE_OLDEST_READABLE_VERSION} through {@linkcode SSTABLE_CURRENT_VERSION} and refuse newer
 * files with `NotSupportedError`. Retired version numbers: none.
 */
export enum SSTableFormatVersion {
  /** Prefix-compressed data blocks, one whole-table bloom filter, properties, 52-byte footer. */
  V1 = 1,
}

// ==================== ON DISK: NEVER CHANGE ANY VALUE IN THIS BLOCK ====================
/** ON DISK, NEVER CHANGE: low half of the u64 magic (bytes "T4DX" in file order). */
export const SSTABLE_MAGIC_LO = 0x58443454;
/** ON DISK, NEVER CHANGE: high half of the u64 magic (bytes "SST", 0x8a in file order). */
export const SSTABLE_MAGIC_HI = 0x8a545353;
/** ON DISK, NEVER CHANGE: bytes in the footer at the end of every table. */
export const FOOTER_SIZE = 52;
/** ON DISK, NEVER CHANGE: bytes after every block (compression type u8, masked crc32c u32 LE). */
export const BLOCK_TRAILER_SIZE = 5;
/** ON DISK, NEVER CHANGE: the compression type byte of an uncompressed block. */
export const COMPRESSION_NONE = 0;
/** ON DISK, NEVER CHANGE: seed of the 32-bit murmur3 hash the bloom filter uses. */
export const BLOOM_HASH_SEED = 0xbc9f1d34;
/** ON DISK, NEVER CHANGE: xored into a key's hash before remixing it into the bloom probe stride. */
export const BLOOM_DELTA_SALT = 0x9e3779b9;
/** ON DISK, NEVER CHANGE: the largest number of probes a bloom filter may store. */
export const BLOOM_MAX_PROBES = 30;
/** ON DISK, NEVER CHANGE: a filter with fewer bits is rounded up to this many. */
export const BLOOM_MIN_BITS = 64;
// ================================ END OF ON-DISK CONSTANTS ================================

/** The version new tables are written with. */
export const SSTABLE_CURRENT_VERSION: SSTableFormatVersion = SSTableFormatVersion.V1;
/** The oldest version readers still open. */
export const SSTABLE_OLDEST_READABLE_VERSION: SSTableFormatVersion = SSTableFormatVersion.V1;

/** Default target size of a data block before its trailer, in bytes. */
export const DEFAULT_BLOCK_SIZE = 4096;
/** Default number of entries between restart points in a data block. */
export const DEFAULT_RESTART_INTERVAL = 16;
/** Default bloom filter bits per distinct user key (about 1% false positives). */
export const DEFAULT_BLOOM_BITS_PER_KEY = 10;

/** Where a block lies in the file: `size` excludes the 5-byte trailer. */
export interface BlockHandle {
  offset: number;
  size: number;
}

/** What a finished table holds. Keys are copies owned by the receiver. */
export interface TableMeta {
  /** File size in bytes. */
  size: number;
  /** Number of entries (values and tombstones). */
  entries: number;
  /** User key of the first entry (empty when `entries` is 0). */
  smallestKey: Uint8Array;
  /** Seq of the first entry (0 when `entries` is 0). */
  smallestSeq: number;
  /** User key of the last entry (empty when `entries` is 0). */
  largestKey: Uint8Array;
  /** Seq of the last entry (0 when `entries` is 0). */
  largestSeq: number;
  /** Smallest seq of any entry (0 when `entries` is 0). */
  minSeq: number;
  /** Largest seq of any entry (0 when `entries` is 0). */
  maxSeq: number;
}

/** {@linkcode TableMeta} plus what the properties block adds for compaction heuristics. */
export interface TableProperties extends TableMeta {
  /** Number of tombstones among `entries`. */
  tombstones: number;
  /** Number of data blocks. */
  dataBlocks: number;
  /** Format version from the footer. */
  formatVersion: SSTableFormatVersion;
}

/** Options of `SSTableWriter`. */
export interface SSTableWriterOptions {
  /**
   * Target size of a data block in bytes; a block is cut once it reaches this size.
   * @default {4096}
   */
  blockSize?: number;
  /**
   * Entries between restart points in data blocks (1 disables prefix compression).
   * @default {16}
   */
  restartInterval?: number;
  /**
   * Bloom filter bits per distinct user key; 0 writes a filter that matches everything.
   * @default {10}
   */
  bloomBitsPerKey?: number;
}

/** Options of `SSTableReader.open`. */
export interface SSTableReaderOptions {
  /** The table's file number, the block cache key. */
  fileNumber: number;
  /**
   * Shared cache of decoded data blocks.
   * @default {undefined} (no caching)
   */
  cache?: BlockCache;
  /**
   * Verify the checksum of the footer and of every block read. Structural checks run either way.
   * @default {true}
   */
  verifyChecksums?: boolean;
}
