/**
 * Appends framed records to a write-ahead log.
 *
 * WAL format, version 1 (rationale in engine/docs/formats/wal.md; constants in wal_format.ts)
 *
 * The file is a sequence of 32768-byte blocks counted from offset 0. It opens with a file header; after
 * it come physical records. A record never crosses a block boundary: a logical record that does not fit
 * in what is left of the block is cut into fragments (First, Middle..., Last). When fewer than 7 bytes
 * are left in a block, they are zero-filled and the next record starts the next block.
 *
 *   File header (offset 0, once per file, no checksum: the magic is its check)
 *   | field   | size | encoding | endianness | notes                                    |
 *   |---------|------|----------|------------|------------------------------------------|
 *   | magic   | 4    | u32      | LE         | 0x57443454, the bytes "T4DW"             |
 *   | version | 4    | u32      | LE         | WalFormatVersion, 1                      |
 *
 *   Physical record (repeated)
 *   | field   | size   | encoding | endianness | notes                                            |
 *   |---------|--------|----------|------------|--------------------------------------------------|
 *   | crc     | 4      | u32      | LE         | maskCrc(crc32c(type byte ++ payload))            |
 *   | length  | 2      | u16      | LE         | payload bytes; header + payload <= block left    |
 *   | type    | 1      | u8       | -          | 1 Full, 2 First, 3 Middle, 4 Last (0: padding)   |
 *   | payload | length | bytes    | -          | the fragment of the logical record               |
 *
 *   Block trailer: 0 to 6 zero bytes when fewer than 7 bytes are left in a block (not checksummed).
 *
 * Worked example: a new log, then a 100-byte and a 40000-byte record.
 *   [0, 8)          file header: 54 34 44 57 | 01 00 00 00
 *   [8, 115)        Full,  length 100: 7 + 100 = 107 bytes
 *   [115, 32768)    First, length 32646: what is left of block 0 (32653) minus the 7-byte header
 *   [32768, 40129)  Last,  length 7354 (= 40000 - 32646): 7 + 7354 = 7361 bytes
 *   The 40000-byte record takes 40014 bytes on disk; the next record starts at 40129, block 1 offset 7361.
 *
 * @module
 */
import { InvalidArgumentError, IOError } from "../errors.ts";
import type { WritableFile } from "../fs/fs.ts";
import { ByteWriter } from "../util/coding.ts";
import { crc32c, maskCrc } from "../util/crc32c.ts";
import {
  WAL_BLOCK_SIZE as BLOCK,
  WAL_FILE_HEADER_SIZE,
  WAL_FORMAT_VERSION,
  WAL_MAGIC,
  WAL_RECORD_HEADER_SIZE as HEADER,
  WAL_TYPE_CRC,
  WalRecordType,
} from "./wal_format.ts";

/** Options of {@linkcode WalWriter}. */
export interface WalWriterOptions {
  /**
   * Initial capacity in bytes of the reusable buffer each record is framed in. It grows to the largest
   * record; past 1 MiB it is dropped after use so one huge record does not pin memory.
   * @default 32768
   */
  frameBufferSize?: number;
}

/** Frame buffers above this size are not kept between records. */
const MAX_RETAINED_FRAME = 1 << 20;

/**
 * Appends records to a WAL file in the block format drawn at the top of this file.
 *
 * Each {@linkcode WalWriter.addRecord} is one `file.append` call holding every fragment (and any block
 * trailer before it), so a crash tears at most the last record. Bytes reach the OS at once; they are
 * durable after {@linkcode WalWriter.sync}.
 *
 * Concurrency: `addRecord` is synchronous. `sync()` may be in flight while more records are added; it
 * makes durable at least everything added before it was called (group commit relies on this).
 *
 * INVARIANT: `size() % WAL_BLOCK_SIZE` is the offset in the current block where the next record goes.
 * REQUIRES: `file.append` does not keep a reference to the array it is given (the frame buffer is reused).
 *
 * @param file A file open for appending: empty (the header is written) or a log cut to its
 *   `validLength` by `readWal`.
 * @param options See {@linkcode WalWriterOptions}.
 * @throws {InvalidArgumentError} If the file is non-empty but shorter than the 8-byte file header.
 *
 * @example Write two records and read them back
 * ```ts
 * import { MemFs } from "../fs/mem_fs.ts";
 * import { WalWriter } from "./wal_writer.ts";
 * import { readWal } from "./wal_reader.ts";
 * const fs = new MemFs();
 * const wal = new WalWriter(fs.openWritable("/000001.log"));
 * wal.addRecord(new Uint8Array(100));
 * wal.addRecord(new Uint8Array(40000));
 * await wal.sync();
 * wal.close();
 * if (wal.size() !== 8 + 107 + 40014) throw new Error(`unexpected size ${wal.size()}`);
 * const got = readWal(fs.readFile("/000001.log"), { file: "000001.log" });
 * if (got.records.length !== 2 || got.records[1]!.length !== 40000) throw new Error("lost a record");
 * ```
 */
export class WalWriter {
  readonly #file: WritableFile;
  readonly #frameBufferSize: number;
  #frame: ByteWriter;
  #size: number;
  #blockOffset: number;
  #closed = false;
  #failed: unknown = undefined;

  constructor(file: WritableFile, options: WalWriterOptions = {}) {
    this.#file = file;
    this.#frameBufferSize = options.frameBufferSize ?? BLOCK;
    this.#frame = new ByteWriter(this.#frameBufferSize);
    let size = file.size();
    if (size > 0 && size < WAL_FILE_HEADER_SIZE) {
      throw new InvalidArgumentError(
        `Cannot append to WAL "${file.path}": it holds ${size} bytes, fewer than its ${WAL_FILE_HEADER_SIZE}-byte ` +
          `file header (truncate it to the length readWal reports first)`,
        { file: file.path },
      );
    }
    if (size === 0) {
      this.#frame.u32(WAL_MAGIC);
      this.#frame.u32(WAL_FORMAT_VERSION);
      file.append(this.#frame.view());
      this.#frame.reset();
      size = WAL_FILE_HEADER_SIZE;
    }
    this.#size = size;
    this.#blockOffset = size % BLOCK;
  }

  /**
   * Appends one logical record (any length, including zero) as one `file.append` call.
   *
   * @param payload The record's bytes; not retained.
   * @throws {IOError} If the writer is closed, or an earlier append failed (the file may end in a partial
   *   record: start a new log).
   */
  addRecord(payload: Uint8Array): void {
    if (this.#closed || this.#failed !== undefined) this.#refuse();
    const w = this.#frame;
    w.reset();
    let block = this.#blockOffset;
    let pos = 0;
    let left = payload.length;
    let begin = true;
    do {
      const leftover = BLOCK - block;
      if (leftover < HEADER) {
        for (let i = 0; i < leftover; i++) w.u8(0);
        block = 0;
      }
      const avail = BLOCK - block - HEADER;
      const n = left < avail ? left : avail;
      const end = n === left;
      const type = begin
        ? (end ? WalRecordType.Full : WalRecordType.First)
        : (end ? WalRecordType.Last : WalRecordType.Middle);
      const fragment = payload.subarray(pos, pos + n);
      w.u32(maskCrc(crc32c(fragment, WAL_TYPE_CRC[type])));
      w.u8(n & 0xff);
      w.u8(n >>> 8);
      w.u8(type);
      w.bytes(fragment);
      block += HEADER + n;
      pos += n;
      left -= n;
      begin = false;
    } while (left > 0);
    try {
      this.#file.append(w.view());
    } catch (e) {
      this.#failed = e;
      throw e;
    }
    this.#size += w.length;
    this.#blockOffset = block === BLOCK ? 0 : block;
    if (w.length > MAX_RETAINED_FRAME) this.#frame = new ByteWriter(this.#frameBufferSize);
  }

  /** Makes every record added so far durable (delegates to the file's `sync`). */
  sync(): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new IOError(`Cannot sync WAL "${this.#file.path}": the writer is closed`));
    }
    return this.#file.sync();
  }

  /** Bytes in the log, file header included: where the next record (or its trailer) starts. */
  size(): number {
    return this.#size;
  }

  /** Closes the file. Idempotent; does not sync. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }

  #refuse(): never {
    const path = this.#file.path;
    if (this.#closed) {
      throw new IOError(`Cannot append to WAL "${path}": the writer is closed`, { file: path });
    }
    throw new IOError(
      `Cannot append to WAL "${path}": an earlier append failed, so the file may end in a partial record ` +
        `(start a new log)`,
      { file: path, cause: this.#failed },
    );
  }
}
