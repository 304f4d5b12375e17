/**
 * Reads tables written by `SSTableWriter` (layout at the top of `sstable_writer.ts`). Opening reads the
 * footer and the metadata blocks in one positioned read and keeps the index as flat typed arrays, so a
 * point lookup costs one bloom probe, one binary search in RAM and at most one block read.
 *
 * @module
 */
import type { RandomAccessFile } from "../fs/fs.ts";
import { type InternalIterator, type LookupResult, MAX_SEQ, type RecordType } from "../keys.ts";
import { checkBlock, readTableParts, type TableParts } from "./_table_meta.ts";
import type { BlockCache } from "./block_cache.ts";
import { Block, BlockIter } from "./block_reader.ts";
import type { BloomFilter } from "./bloom.ts";
import { BLOCK_TRAILER_SIZE, type SSTableReaderOptions, type TableProperties } from "./sstable_format.ts";

/** Compares `buf[start, end)` with `key` bytewise. */
function compareRange(buf: Uint8Array, start: number, end: number, key: Uint8Array): number {
  const len = end - start;
  const n = len < key.length ? len : key.length;
  for (let i = 0; i < n; i++) {
    const d = buf[start + i]! - key[i]!;
    if (d !== 0) return d;
  }
  return len - key.length;
}

/**
 * An open table.
 *
 * Concurrency: all methods are synchronous; any number of iterators may be open at once. Iterators and
 * `get()` must not be used after `close()`.
 *
 * @example Look up a key at two snapshots
 * ```ts
 * import { MemFs } from "../fs/mem_fs.ts";
 * import { SSTableWriter } from "./sstable_writer.ts";
 * import { SSTableReader } from "./sstable_reader.ts";
 * const fs = new MemFs();
 * const k = new TextEncoder().encode("k");
 * const w = new SSTableWriter(fs.openWritable("/000003.sst"));
 * w.add(k, 8, 1, new Uint8Array([8]));
 * w.add(k, 4, 1, new Uint8Array([4]));
 * await w.finish();
 * const r = SSTableReader.open(fs.openRandom("/000003.sst"), { fileNumber: 3 });
 * if (r.get(k, 9)?.value[0] !== 8 || r.get(k, 7)?.value[0] !== 4 || r.get(k, 3) !== undefined) {
 *   throw new Error("wrong version");
 * }
 * r.close();
 * ```
 */
export class SSTableReader {
  readonly #file: RandomAccessFile;
  readonly #fileNumber: number;
  readonly #cache: BlockCache | undefined;
  readonly #verify: boolean;
  readonly #filter: BloomFilter;
  readonly #props: Readonly<TableProperties>;
  /** Index: block i's last key is `#idxKeys[#idxKeyEnd[i - 1] ?? 0, #idxKeyEnd[i])`. */
  readonly #idxKeys: Uint8Array;
  readonly #idxKeyEnd: Uint32Array;
  readonly #idxSeq: Float64Array;
  readonly #idxOffset: Float64Array;
  readonly #idxSize: Float64Array;
  readonly #getIter = new BlockIter();

  private constructor(file: RandomAccessFile, options: SSTableReaderOptions, parts: TableParts) {
    this.#file = file;
    this.#fileNumber = options.fileNumber;
    this.#cache = options.cache;
    this.#verify = options.verifyChecksums ?? true;
    this.#filter = parts.filter;
    this.#props = Object.freeze(parts.properties);
    this.#idxKeys = parts.index.keys;
    this.#idxKeyEnd = parts.index.keyEnd;
    this.#idxSeq = parts.index.seq;
    this.#idxOffset = parts.index.offset;
    this.#idxSize = parts.index.size;
  }

  /**
   * Opens a table: reads and checks the footer, filter, index and properties.
   *
   * @param file The table file; after a successful open the reader owns it and closes it in `close()`;
   * when open throws, the caller still owns it.
   * @param options The file number (block cache key), the cache and whether to verify checksums.
   * @throws {CorruptionError} On a short file, bad magic, checksum mismatch or undecodable metadata; the
   * message names the file and what failed.
   * @throws {NotSupportedError} When the format version is newer than this reader.
   */
  static open(file: RandomAccessFile, options: SSTableReaderOptions): SSTableReader {
    return new SSTableReader(file, options, readTableParts(file, options.verifyChecksums ?? true));
  }

  /** The table's metadata from its properties block (do not modify the keys). */
  properties(): Readonly<TableProperties> {
    return this.#props;
  }

  /** Whether the bloom filter allows that `key` is present (false: it certainly is not). */
  mayContain(key: Uint8Array): boolean {
    return this.#filter.mayContain(key);
  }

  /**
   * The newest version of `key` with `seq <= snapshotSeq`, tombstones included, or undefined when the
   * table has none. The value is a view into an immutable block, valid indefinitely: do not modify it
   * (copy it first; a copy costs a fresh ArrayBuffer, about ten times the cost of the view).
   *
   * @throws {CorruptionError} When the block read fails its checksum or does not decode.
   */
  get(key: Uint8Array, snapshotSeq: number): LookupResult | undefined {
    if (!this.#filter.mayContain(key)) return undefined;
    const it = this.#getIter;
    for (let i = this.#findBlock(key, snapshotSeq); i < this.#idxSeq.length; i++) {
      it.init(this.#readBlock(i));
      it.seek(key, snapshotSeq);
      if (!it.valid()) continue;
      if (!it.keyEquals(key)) return undefined;
      return { seq: it.seq(), type: it.type(), value: it.value() };
    }
    return undefined;
  }

  /** A two-level iterator (index, then data blocks) over every entry in internal order. */
  iterator(): InternalIterator {
    return new TableIterator(
      this.#idxSeq.length,
      (key, seq) => this.#findBlock(key, seq),
      (i) => this.#readBlock(i),
    );
  }

  /** Closes the file. Idempotent. */
  close(): void {
    this.#file.close();
  }

  #findBlock(key: Uint8Array, seq: number): number {
    const ends = this.#idxKeyEnd;
    const seqs = this.#idxSeq;
    const keys = this.#idxKeys;
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareRange(keys, mid === 0 ? 0 : ends[mid - 1]!, ends[mid]!, key);
      if (c < 0 || (c === 0 && seqs[mid]! > seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Data block `i`, from the cache or the file (checked, then cached). */
  #readBlock(i: number): Block {
    const offset = this.#idxOffset[i]!;
    const cached = this.#cache?.get(this.#fileNumber, offset);
    if (cached !== undefined) return cached;
    const size = this.#idxSize[i]!;
    const buf = this.#file.read(offset, size + BLOCK_TRAILER_SIZE);
    const path = this.#file.path;
    const data = checkBlock(buf, size, this.#verify, `block at offset ${offset}`, path);
    const block = new Block(data, { file: path, offset });
    this.#cache?.insert(this.#fileNumber, offset, block);
    return block;
  }
}

/** Two-level iterator: a position in the index and a {@linkcode BlockIter} over that data block. */
class TableIterator implements InternalIterator {
  readonly #blocks: number;
  readonly #find: (key: Uint8Array, seq: number) => number;
  readonly #read: (i: number) => Block;
  readonly #it = new BlockIter();
  #block = 0;
  #valid = false;

  constructor(blocks: number, find: (key: Uint8Array, seq: number) => number, read: (i: number) => Block) {
    this.#blocks = blocks;
    this.#find = find;
    this.#read = read;
  }
  valid(): boolean {
    return this.#valid;
  }
  seekToFirst(): void {
    this.#enter(0);
    if (this.#valid) this.#it.seekToFirst();
    this.#skipEmpty();
  }
  seek(key: Uint8Array, seq: number = MAX_SEQ): void {
    this.#enter(this.#find(key, seq));
    if (this.#valid) this.#it.seek(key, seq);
    this.#skipEmpty();
  }
  next(): void {
    this.#it.next();
    this.#skipEmpty();
  }
  key(): Uint8Array {
    return this.#it.key();
  }
  seq(): number {
    return this.#it.seq();
  }
  type(): RecordType {
    return this.#it.type();
  }
  value(): Uint8Array {
    return this.#it.value();
  }
  #enter(i: number): void {
    this.#block = i;
    this.#valid = i < this.#blocks;
    if (this.#valid) this.#it.init(this.#read(i));
  }
  #skipEmpty(): void {
    while (this.#valid && !this.#it.valid()) {
      this.#enter(this.#block + 1);
      if (this.#valid) this.#it.seekToFirst();
    }
  }
}
