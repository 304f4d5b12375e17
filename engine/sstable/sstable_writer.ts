/**
 * Writes an immutable sorted table (SSTable) of internal entries. Rationale and trade-offs:
 * `engine/docs/formats/sstable.md`. Constants: `sstable_format.ts`.
 *
 * FILE LAYOUT (all integers little-endian; varint = unsigned LEB128)
 *
 *   [data block 0][trailer] ... [data block N-1][trailer]
 *   [filter block][trailer] [index block][trailer] [properties block][trailer] [footer]
 *
 * DATA BLOCK ENTRY (internal order: user key ascending, then seq descending)
 *
 *   field          size      encoding  notes
 *   shared         1-8       varint    bytes of the user key shared with the previous entry's key;
 *                                      0 at every restart point
 *   unshared       1-8       varint    bytes of the user key that follow
 *   value length   1-8       varint    0 for tombstones
 *   key delta      unshared  bytes     user key bytes [shared, shared + unshared)
 *   seq            1-8       varint    < 2^53
 *   type           1         u8        0 = tombstone (TYPE_DELETE), 1 = value (TYPE_VALUE)
 *   value          vlen      bytes
 *
 * BLOCK CONTENTS = entries | restart offsets (u32 LE each, an entry start; the first is 0) |
 *   restart count (u32 LE, >= 1). A restart point comes every `restartInterval` entries (default 16).
 *
 * BLOCK TRAILER (5 bytes after every block; handles give the size without it)
 *
 *   compression type  1  u8      0 = none (the only type in format version 1)
 *   checksum          4  u32 LE  maskCrc(crc32c(block contents + compression type byte))
 *
 * INDEX BLOCK: a block (restart interval 1) with one entry per data block, in file order: key = the data
 *   block's last user key, seq = its last seq, type = 1, value = offset varint | size varint of the block.
 *
 * FILTER BLOCK: bloom bits (ceil(n * bitsPerKey / 8) bytes, at least 8) | k u8 (probes; 0 = matches
 *   everything). n = distinct user keys; bit positions are h, h + d, ..., h + (k - 1)d (u32 arithmetic)
 *   mod nbits with h = murmur3_32(key, seed 0xbc9f1d34) and d = fmix32(h ^ 0x9e3779b9) (see bloom.ts).
 *
 * PROPERTIES BLOCK: entries varint | tombstones varint | data blocks varint | smallest key (varint
 *   length + bytes) | smallest seq varint | largest key (length + bytes) | largest seq varint | min seq
 *   varint | max seq varint. Later versions append fields; readers ignore bytes after those they know.
 *
 * FOOTER (52 bytes, the last bytes of the file)
 *
 *   offset  size  field                encoding
 *   0       8     filter offset        u64 LE
 *   8       4     filter size          u32 LE
 *   12      8     index offset         u64 LE
 *   20      4     index size           u32 LE
 *   24      8     properties offset    u64 LE
 *   32      4     properties size      u32 LE
 *   36      4     format version       u32 LE (SSTableFormatVersion, 1)
 *   40      4     footer checksum      u32 LE, maskCrc(crc32c(footer bytes [0, 40)))
 *   44      8     magic                u64 LE 0x8a54535358443454 (bytes "T4DXSST" 0x8a)
 *
 * WORKED EXAMPLE: ("apple", seq 2, value "red"), ("apple", seq 1, tombstone), ("banana", seq 3, value
 * "yellow") with default options make a 165-byte file:
 *
 *   offset  bytes  what
 *   0       43     data block: 13 (00 05 03 "apple" 02 01 "red") + 5 (05 00 00 01 00)
 *                  + 17 (00 06 06 "banana" 03 01 "yellow") + restarts (00000000) + count (01000000)
 *   43      5      trailer: 00, masked crc
 *   48      9      filter: 8 bytes of bits (2 keys x 10 bits, rounded up to 64 bits) + k = 07
 *   57      5      trailer
 *   62      21     index: 13 (00 06 02 "banana" 03 01 | handle 00 2b) + restart 0 + count 1
 *   83      5      trailer
 *   88      20     properties: 03 01 01 | 05 "apple" 02 | 06 "banana" 03 | 01 03
 *   108     5      trailer
 *   113     52     footer: filter (48, 9), index (62, 21), properties (88, 20), version 1, crc, magic
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import type { WritableFile } from "../fs/fs.ts";
import { type RecordType, TYPE_DELETE, TYPE_VALUE } from "../keys.ts";
import { ByteWriter, writeU32 } from "../util/coding.ts";
import { crc32c, maskCrc } from "../util/crc32c.ts";
import { BlockBuilder } from "./block_builder.ts";
import { BloomFilter } from "./bloom.ts";
import {
  BLOCK_TRAILER_SIZE,
  type BlockHandle,
  COMPRESSION_NONE,
  DEFAULT_BLOCK_SIZE,
  DEFAULT_BLOOM_BITS_PER_KEY,
  DEFAULT_RESTART_INTERVAL,
  FOOTER_SIZE,
  SSTABLE_CURRENT_VERSION,
  SSTABLE_MAGIC_HI,
  SSTABLE_MAGIC_LO,
  type SSTableWriterOptions,
  type TableMeta,
} from "./sstable_format.ts";

const NO_COMPRESSION = Uint8Array.of(COMPRESSION_NONE);

function hex(key: Uint8Array): string {
  const s = Array.from(key.subarray(0, 32), (b) => b.toString(16).padStart(2, "0")).join("");
  return key.length > 32 ? s + "..." : s;
}

function checkOption(name: string, v: number, min: number, max: number, integer: boolean): number {
  if (!(v >= min && v <= max) || (integer && !Number.isInteger(v))) {
    throw new InvalidArgumentError(
      `Cannot create table writer: ${name} ${v} is not ${integer ? "an integer " : ""}in [${min}, ${max}]`,
    );
  }
  return v;
}

/**
 * Streams entries in internal order into a new table file.
 *
 * Concurrency: single owner. `add()` is synchronous; nothing may be called while `finish()` is pending.
 *
 * @example Write a table and read a key back
 * ```ts
 * import { MemFs } from "../fs/mem_fs.ts";
 * import { SSTableWriter } from "./sstable_writer.ts";
 * import { SSTableReader } from "./sstable_reader.ts";
 * const fs = new MemFs();
 * const enc = new TextEncoder();
 * const w = new SSTableWriter(fs.openWritable("/000007.sst"));
 * w.add(enc.encode("apple"), 2, 1, enc.encode("red"));
 * w.add(enc.encode("apple"), 1, 0, new Uint8Array(0));
 * w.add(enc.encode("banana"), 3, 1, enc.encode("yellow"));
 * const meta = await w.finish();
 * if (meta.size !== 165 || meta.entries !== 3 || meta.minSeq !== 1) throw new Error(JSON.stringify(meta));
 * const r = SSTableReader.open(fs.openRandom("/000007.sst"), { fileNumber: 7 });
 * if (r.get(enc.encode("apple"), 1)?.type !== 0) throw new Error("tombstone not found");
 * ```
 */
export class SSTableWriter {
  readonly #file: WritableFile;
  readonly #blockSize: number;
  readonly #bitsPerKey: number;
  readonly #data: BlockBuilder;
  readonly #index = new BlockBuilder(1);
  readonly #trailer = new Uint8Array(BLOCK_TRAILER_SIZE);
  readonly #scratch = new ByteWriter(64);
  #state: "open" | "finishing" | "done" = "open";
  #offset = 0;
  #hashes = new Uint32Array(1024);
  #hashCount = 0;
  #lastKey = new Uint8Array(64);
  #lastKeyLen = 0;
  #lastSeq = 0;
  #smallestKey = new Uint8Array(0);
  #smallestSeq = 0;
  #entries = 0;
  #tombstones = 0;
  #dataBlocks = 0;
  #minSeq = 0;
  #maxSeq = 0;

  /**
   * @param file A new, empty file; the writer owns it and closes it in `finish()` or `abandon()`.
   * @param options Block size, restart interval and bloom bits per key.
   * @throws {InvalidArgumentError} When an option is out of range.
   */
  constructor(file: WritableFile, options: SSTableWriterOptions = {}) {
    this.#file = file;
    this.#blockSize = checkOption("blockSize", options.blockSize ?? DEFAULT_BLOCK_SIZE, 1, 2 ** 30, true);
    const interval = options.restartInterval ?? DEFAULT_RESTART_INTERVAL;
    this.#data = new BlockBuilder(checkOption("restartInterval", interval, 1, 2 ** 30, true));
    const bits = options.bloomBitsPerKey ?? DEFAULT_BLOOM_BITS_PER_KEY;
    this.#bitsPerKey = checkOption("bloomBitsPerKey", bits, 0, 1000, false);
  }

  /** Entries added so far. */
  get entries(): number {
    return this.#entries;
  }

  /** An estimate of the file size if finished now, for cutting compaction output at a target size. */
  estimatedSize(): number {
    const filter = Math.ceil((this.#hashCount * this.#bitsPerKey) / 8) + 1 + BLOCK_TRAILER_SIZE;
    const props = 40 + 2 * this.#lastKeyLen + BLOCK_TRAILER_SIZE;
    return this.#offset + this.#data.estimatedSize() + this.#index.estimatedSize() + filter + props +
      FOOTER_SIZE;
  }

  /**
   * Appends an entry.
   *
   * REQUIRES: `(key, seq)` is strictly after the previous entry in internal order (user key ascending,
   * then seq descending); `0 <= seq <= MAX_SEQ`.
   *
   * @throws {InvalidArgumentError} On an out-of-order entry, a bad seq or type, or after finish/abandon.
   */
  add(key: Uint8Array, seq: number, type: RecordType, value: Uint8Array): void {
    if (this.#state !== "open") {
      throw new InvalidArgumentError(`Cannot add to table "${this.#file.path}": writer is closed`);
    }
    if (!Number.isSafeInteger(seq) || seq < 0 || (type !== TYPE_VALUE && type !== TYPE_DELETE)) {
      throw new InvalidArgumentError(
        `Cannot add to table "${this.#file.path}": seq ${seq} or type ${type} is invalid`,
      );
    }
    let newUserKey = true;
    if (this.#entries > 0) {
      const last = this.#lastKey;
      const n = Math.min(this.#lastKeyLen, key.length);
      let i = 0;
      while (i < n && last[i] === key[i]) i++;
      const c = i < n ? key[i]! - last[i]! : key.length - this.#lastKeyLen;
      if (c < 0 || (c === 0 && seq >= this.#lastSeq)) {
        throw new InvalidArgumentError(
          `Cannot add to table "${this.#file.path}": (key 0x${hex(key)}, seq ${seq}) is not after ` +
            `(key 0x${hex(last.subarray(0, this.#lastKeyLen))}, seq ${this.#lastSeq}) in internal order`,
        );
      }
      newUserKey = c !== 0;
      if (seq < this.#minSeq) this.#minSeq = seq;
      if (seq > this.#maxSeq) this.#maxSeq = seq;
    } else {
      this.#smallestKey = key.slice();
      this.#smallestSeq = this.#minSeq = this.#maxSeq = seq;
    }
    if (newUserKey && this.#bitsPerKey > 0) {
      if (this.#hashCount === this.#hashes.length) {
        const grown = new Uint32Array(this.#hashes.length * 2);
        grown.set(this.#hashes);
        this.#hashes = grown;
      }
      this.#hashes[this.#hashCount++] = BloomFilter.hash(key);
    }
    if (key.length > this.#lastKey.length) this.#lastKey = new Uint8Array(key.length * 2);
    this.#lastKey.set(key);
    this.#lastKeyLen = key.length;
    this.#lastSeq = seq;
    this.#entries++;
    if (type === TYPE_DELETE) this.#tombstones++;
    this.#data.add(key, seq, type, value);
    if (this.#data.estimatedSize() >= this.#blockSize) this.#flushDataBlock();
  }

  /**
   * Writes the last data block, the filter, index and properties blocks and the footer, then syncs and
   * closes the file.
   *
   * @returns The table's metadata (keys are fresh copies).
   * @throws {InvalidArgumentError} When called twice or after `abandon()`.
   * @throws {IOError} When a write or the sync fails; the caller should delete the file.
   */
  async finish(): Promise<TableMeta> {
    if (this.#state !== "open") {
      throw new InvalidArgumentError(`Cannot finish table "${this.#file.path}": writer is closed`);
    }
    this.#state = "finishing";
    try {
      if (!this.#data.empty()) this.#flushDataBlock();
      const filter = this.#writeBlock(
        BloomFilter.build(this.#hashes.subarray(0, this.#hashCount), this.#bitsPerKey),
      );
      const index = this.#writeBlock(this.#index.finish());
      const w = this.#scratch;
      w.reset();
      for (const v of [this.#entries, this.#tombstones, this.#dataBlocks]) w.varint(v);
      w.lengthPrefixed(this.#smallestKey);
      w.varint(this.#smallestSeq);
      w.lengthPrefixed(this.#lastKey.subarray(0, this.#lastKeyLen));
      for (const v of [this.#lastSeq, this.#minSeq, this.#maxSeq]) w.varint(v);
      const props = this.#writeBlock(w.view());
      w.reset();
      for (const h of [filter, index, props]) {
        w.u64(h.offset);
        w.u32(h.size);
      }
      w.u32(SSTABLE_CURRENT_VERSION);
      w.u32(maskCrc(crc32c(w.view())));
      w.u32(SSTABLE_MAGIC_LO);
      w.u32(SSTABLE_MAGIC_HI);
      this.#file.append(w.view());
      this.#offset += FOOTER_SIZE;
      await this.#file.sync();
    } finally {
      this.#state = "done";
      this.#file.close();
    }
    return {
      size: this.#offset,
      entries: this.#entries,
      smallestKey: this.#smallestKey.slice(),
      smallestSeq: this.#smallestSeq,
      largestKey: this.#lastKey.slice(0, this.#lastKeyLen),
      largestSeq: this.#entries === 0 ? 0 : this.#lastSeq,
      minSeq: this.#minSeq,
      maxSeq: this.#maxSeq,
    };
  }

  /** Closes the file without finishing it; the caller deletes it. Idempotent. */
  abandon(): void {
    if (this.#state === "open") this.#state = "done";
    this.#file.close();
  }

  #flushDataBlock(): void {
    const handle = this.#writeBlock(this.#data.finish());
    this.#data.reset();
    this.#dataBlocks++;
    const w = this.#scratch;
    w.reset();
    w.varint(handle.offset);
    w.varint(handle.size);
    this.#index.add(this.#lastKey.subarray(0, this.#lastKeyLen), this.#lastSeq, TYPE_VALUE, w.view());
  }

  #writeBlock(contents: Uint8Array): BlockHandle {
    const handle = { offset: this.#offset, size: contents.length };
    const t = this.#trailer;
    t[0] = COMPRESSION_NONE;
    writeU32(t, 1, maskCrc(crc32c(NO_COMPRESSION, crc32c(contents))));
    this.#file.append(contents);
    this.#file.append(t);
    this.#offset += contents.length + BLOCK_TRAILER_SIZE;
    return handle;
  }
}
