/**
 * Opening a table: the footer, the metadata blocks and the block trailer check, split from
 * `sstable_reader.ts` to keep both files short. Layout: the top of `sstable_writer.ts`.
 *
 * @module
 */
import { CorruptionError, NotSupportedError } from "../errors.ts";
import type { RandomAccessFile } from "../fs/fs.ts";
import { ByteReader, ByteWriter, readU32 } from "../util/coding.ts";
import { crc32c, unmaskCrc } from "../util/crc32c.ts";
import { Block, BlockIter } from "./block_reader.ts";
import { BloomFilter } from "./bloom.ts";
import {
  BLOCK_TRAILER_SIZE,
  COMPRESSION_NONE,
  FOOTER_SIZE,
  SSTABLE_CURRENT_VERSION,
  SSTABLE_MAGIC_HI,
  SSTABLE_MAGIC_LO,
  SSTABLE_OLDEST_READABLE_VERSION,
  type SSTableFormatVersion,
  type TableProperties,
} from "./sstable_format.ts";

/**
 * The index block as flat arrays: data block `i` ends with user key `keys[keyEnd[i - 1] ?? 0, keyEnd[i])`
 * at `seq[i]` and lies at `offset[i]`, `size[i]` bytes before its trailer.
 */
export interface TableIndex {
  keys: Uint8Array;
  keyEnd: Uint32Array;
  seq: Float64Array;
  offset: Float64Array;
  size: Float64Array;
}

/** What opening a table decodes. */
export interface TableParts {
  filter: BloomFilter;
  properties: TableProperties;
  index: TableIndex;
}

const hex32 = (v: number) => "0x" + v.toString(16).padStart(8, "0");

/** Checks a block's trailer in `buf` (contents then trailer) and returns the contents. */
export function checkBlock(
  buf: Uint8Array,
  size: number,
  verify: boolean,
  where: string,
  path: string,
): Uint8Array {
  const fail = (detail: string) =>
    new CorruptionError(`Cannot read ${where} of table "${path}": ${detail}`, { file: path });
  if (buf.length < size + BLOCK_TRAILER_SIZE) {
    throw fail(`truncated (${buf.length} of ${size + BLOCK_TRAILER_SIZE} bytes)`);
  }
  if (verify) {
    const stored = unmaskCrc(readU32(buf, size + 1));
    const actual = crc32c(buf.subarray(0, size + 1));
    if (stored !== actual) {
      throw fail(`checksum mismatch (stored ${hex32(stored)}, computed ${hex32(actual)})`);
    }
  }
  if (buf[size] !== COMPRESSION_NONE) throw fail(`unknown compression type ${buf[size]}`);
  return buf.subarray(0, size);
}

/**
 * Reads and checks the footer, then the filter, index and properties blocks in one positioned read.
 *
 * @throws {CorruptionError} Naming the file and what failed.
 * @throws {NotSupportedError} When the format version is outside the readable range.
 *
 * @example A file shorter than a footer is corruption
 * ```ts
 * import { MemFs } from "../fs/mem_fs.ts";
 * import { readTableParts } from "./_table_meta.ts";
 * const fs = new MemFs();
 * fs.openWritable("/000001.sst").append(new Uint8Array(10));
 * let message = "";
 * try { readTableParts(fs.openRandom("/000001.sst"), true); } catch (e) { message = (e as Error).message; }
 * if (!message.startsWith('Cannot open table "/000001.sst": file is too short')) throw new Error(message);
 * ```
 */
export function readTableParts(file: RandomAccessFile, verify: boolean): TableParts {
  try {
    return decode(file, verify);
  } catch (e) {
    if (!(e instanceof CorruptionError) || e.file !== undefined) throw e;
    const detail = e.message.replace(/^Cannot/, "cannot");
    throw new CorruptionError(`Cannot open table "${file.path}": ${detail}`, { file: file.path, cause: e });
  }
}

function decode(file: RandomAccessFile, verify: boolean): TableParts {
  const path = file.path;
  const fail = (detail: string) =>
    new CorruptionError(`Cannot open table "${path}": ${detail}`, { file: path });
  const size = file.size();
  if (size < FOOTER_SIZE) {
    throw fail(`file is too short (${size} bytes, the footer alone is ${FOOTER_SIZE})`);
  }
  const metaEnd = size - FOOTER_SIZE;
  const footer = file.read(metaEnd, FOOTER_SIZE);
  if (footer.length < FOOTER_SIZE) throw fail(`footer is truncated (${footer.length} bytes)`);
  const lo = readU32(footer, 44);
  const hi = readU32(footer, 48);
  if (lo !== SSTABLE_MAGIC_LO || hi !== SSTABLE_MAGIC_HI) {
    throw fail(`bad magic 0x${hi.toString(16).padStart(8, "0")}${lo.toString(16).padStart(8, "0")}`);
  }
  const stored = unmaskCrc(readU32(footer, 40));
  const actual = crc32c(footer.subarray(0, 40));
  if (verify && stored !== actual) {
    throw fail(`footer checksum mismatch (stored ${hex32(stored)}, computed ${hex32(actual)})`);
  }
  const version = readU32(footer, 36);
  if (version > SSTABLE_CURRENT_VERSION || version < SSTABLE_OLDEST_READABLE_VERSION) {
    throw new NotSupportedError(
      `Cannot open table "${path}": format version ${version} is not in the readable range ` +
        `[${SSTABLE_OLDEST_READABLE_VERSION}, ${SSTABLE_CURRENT_VERSION}]`,
      { file: path },
    );
  }
  const fr = new ByteReader(footer, "footer");
  const handles = ["filter", "index", "properties"].map((name) => ({
    name,
    offset: fr.u64(`${name} offset`),
    size: fr.u32(`${name} size`),
  }));
  const metaStart = Math.min(...handles.map((h) => h.offset));
  for (const h of handles) {
    if (h.offset + h.size + BLOCK_TRAILER_SIZE > metaEnd) {
      throw fail(`${h.name} block (offset ${h.offset}, size ${h.size}) runs past the footer at ${metaEnd}`);
    }
  }
  const meta = file.read(metaStart, metaEnd - metaStart);
  const [filter, index, props] = handles.map((h) =>
    checkBlock(
      meta.subarray(h.offset - metaStart),
      h.size,
      verify,
      `${h.name} block at offset ${h.offset}`,
      path,
    )
  ) as [Uint8Array, Uint8Array, Uint8Array];
  const properties = decodeProperties(props, size, version);
  // The index becomes flat arrays; every data block must end before the metadata starts.
  const it = new BlockIter();
  it.init(new Block(index, { file: path, offset: handles[1]!.offset }));
  const n = properties.dataBlocks;
  const keys = new ByteWriter(1024);
  const keyEnd = new Uint32Array(n);
  const seq = new Float64Array(n);
  const offsets = new Float64Array(n);
  const sizes = new Float64Array(n);
  let i = 0;
  for (it.seekToFirst(); it.valid(); it.next(), i++) {
    if (i >= n) throw fail(`index has more than the ${n} data blocks the properties list`);
    const hr = new ByteReader(it.value(), `index entry ${i}`);
    const offset = offsets[i] = hr.varint("block offset");
    const bsize = sizes[i] = hr.varint("block size");
    if (offset + bsize + BLOCK_TRAILER_SIZE > metaStart) {
      throw fail(
        `index entry ${i} (offset ${offset}, size ${bsize}) overlaps the metadata at ${metaStart}`,
      );
    }
    keys.bytes(it.key());
    keyEnd[i] = keys.length;
    seq[i] = it.seq();
  }
  if (i !== n) throw fail(`index has ${i} entries but the properties list ${n} data blocks`);
  return {
    filter: new BloomFilter(filter),
    properties,
    index: { keys: keys.finish(), keyEnd, seq, offset: offsets, size: sizes },
  };
}

function decodeProperties(data: Uint8Array, size: number, version: SSTableFormatVersion): TableProperties {
  const r = new ByteReader(data, "properties block");
  const entries = r.varint("entries");
  const tombstones = r.varint("tombstones");
  const dataBlocks = r.varint("data blocks");
  const smallestKey = r.lengthPrefixed("smallest key").slice();
  const smallestSeq = r.varint("smallest seq");
  const largestKey = r.lengthPrefixed("largest key").slice();
  const largestSeq = r.varint("largest seq");
  const minSeq = r.varint("min seq");
  const maxSeq = r.varint("max seq");
  if (tombstones > entries || dataBlocks > entries || (entries > 0) !== (dataBlocks > 0) || minSeq > maxSeq) {
    throw new CorruptionError(
      `properties are inconsistent: ${entries} entries, ${tombstones} tombstones, ${dataBlocks} data blocks, ` +
        `seqs [${minSeq}, ${maxSeq}]`,
    );
  }
  return {
    size,
    entries,
    smallestKey,
    smallestSeq,
    largestKey,
    largestSeq,
    minSeq,
    maxSeq,
    tombstones,
    dataBlocks,
    formatVersion: version,
  };
}
