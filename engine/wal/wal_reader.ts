/**
 * Reads a write-ahead log back into its records, telling a torn tail (the end of the log) from damage in
 * the middle (reported). The format is drawn at the top of `wal_writer.ts`.
 *
 * @module
 */
import { CorruptionError, NotSupportedError } from "../errors.ts";
import { readU32 } from "../util/coding.ts";
import { crc32c, maskCrc } from "../util/crc32c.ts";
import {
  WAL_BLOCK_SIZE as BLOCK,
  WAL_FILE_HEADER_SIZE,
  WAL_FORMAT_VERSION,
  WAL_MAGIC,
  WAL_OLDEST_READABLE_VERSION,
  WAL_RECORD_HEADER_SIZE as HEADER,
  WAL_TYPE_CRC,
  type WalCorruption,
  type WalReadOptions,
  type WalReadResult,
  WalRecordType,
} from "./wal_format.ts";

const FULL = WalRecordType.Full;
const FIRST = WalRecordType.First;
const LAST = WalRecordType.Last;

/**
 * Decodes a whole WAL file.
 *
 * Damage (a bad checksum or length, an unknown type, zero fill, a broken fragment sequence) drops the
 * rest of its block and reading resumes at the next block boundary. Damage that some intact record
 * follows (found at a block boundary, or by scanning the rest of the damaged block for a chain of intact
 * records that ends exactly at the end of the file or block) is mid-log damage: it goes to
 * `corruptions` and the reporter. Otherwise it is a torn tail: `tornTail` is set, nothing is reported,
 * and `validLength` says where the log really ends.
 *
 * @param data The file's bytes.
 * @param options The file name and an optional reporter.
 * @returns The records, the valid length, the torn-tail flag and the corruptions.
 * @throws {CorruptionError} If the file does not start with the WAL magic.
 * @throws {NotSupportedError} If the file's format version is newer than this build or retired.
 *
 * @example A torn last record is the end of the log, not a corruption
 * ```ts
 * import { MemFs } from "../fs/mem_fs.ts";
 * import { WalWriter } from "./wal_writer.ts";
 * import { readWal } from "./wal_reader.ts";
 * const fs = new MemFs();
 * const wal = new WalWriter(fs.openWritable("/000003.log"));
 * wal.addRecord(new TextEncoder().encode("kept"));
 * const end = wal.size();
 * wal.addRecord(new TextEncoder().encode("torn"));
 * const got = readWal(fs.readFile("/000003.log").subarray(0, end + 9), { file: "000003.log" });
 * if (got.records.length !== 1 || !got.tornTail || got.validLength !== end || got.corruptions.length) {
 *   throw new Error(JSON.stringify(got));
 * }
 * ```
 */
export function readWal(data: Uint8Array, options: WalReadOptions): WalReadResult {
  const n = data.length;
  const records: Uint8Array[] = [];
  const corruptions: WalCorruption[] = [];
  if (!checkFileHeader(data, options.file)) return { records, validLength: 0, tornTail: n > 0, corruptions };
  const reporter = options.reporter;
  let validLength = WAL_FILE_HEADER_SIZE;
  let pending: WalCorruption[] = []; // drops since the last good record: reported once one follows
  const damageAt: number[] = []; // where the pending drops began, for the end-of-file scan
  let damaged = false; // a drop happened since the last good record
  let proven = false; // an intact physical record followed such a drop
  let fragStart = -1; // offset of the First fragment being assembled, or -1
  const frags: Uint8Array[] = [];
  let fragBytes = 0;

  const drop = (offset: number, bytes: number, reason: string): void => {
    damaged = true;
    const last = pending[pending.length - 1];
    if (last !== undefined && last.offset + last.bytes === offset) last.bytes += bytes;
    else pending.push({ offset, bytes, reason });
  };
  const flush = (): void => {
    for (const c of pending) {
      corruptions.push(c);
      reporter?.(c.bytes, c.reason);
    }
    pending = [];
  };
  const good = (end: number): void => {
    validLength = end;
    if (damaged) {
      flush();
      damageAt.length = 0;
      damaged = proven = false;
    }
  };

  let pos = WAL_FILE_HEADER_SIZE;
  while (pos < n) {
    const blockEnd = pos - (pos % BLOCK) + BLOCK;
    if (blockEnd - pos < HEADER) {
      pos = blockEnd; // zero trailer
      continue;
    }
    const payload = inspect(data, pos, blockEnd);
    if (typeof payload === "string") {
      // Drop the record being assembled and the rest of the block; resume at the next block.
      const from = fragStart >= 0 ? fragStart : pos;
      drop(from, Math.min(blockEnd, n) - from, payload);
      damageAt.push(pos);
      frags.length = fragBytes = 0;
      fragStart = -1;
      pos = blockEnd;
      continue;
    }
    const type = data[pos + 6]!;
    const at = pos;
    pos += HEADER + payload.length;
    if (type === FULL || type === FIRST) {
      if (fragStart >= 0) {
        drop(fragStart, at - fragStart, `fragmented record at offset ${fragStart} has no last fragment`);
        frags.length = fragBytes = 0;
      }
      if (damaged) proven = true;
      if (type === FULL) {
        records.push(payload);
        good(pos);
      } else {
        fragStart = at;
        frags.push(payload);
        fragBytes = payload.length;
      }
    } else if (fragStart < 0) {
      if (damaged) proven = true;
      drop(at, pos - at, `fragment at offset ${at} has no first fragment`);
    } else {
      frags.push(payload);
      fragBytes += payload.length;
      if (type === LAST) {
        records.push(concat(frags, fragBytes));
        frags.length = fragBytes = 0;
        fragStart = -1;
        good(pos);
      }
    }
  }
  if (fragStart >= 0) {
    drop(fragStart, n - fragStart, `fragmented record at offset ${fragStart} has no last fragment`);
  }
  if (damaged && !proven) proven = damageAt.some((at) => intactChainAfter(data, at));
  if (!proven && options.strictTail && validLength < n) {
    let at = validLength;
    if (BLOCK - (at % BLOCK) < HEADER) at += BLOCK - (at % BLOCK);
    const blockEnd = at - (at % BLOCK) + BLOCK;
    const why = at < n ? inspect(data, at, blockEnd) : "";
    if (
      typeof why === "string" && (/^(checksum mismatch|unknown record type)/.test(why) ||
        lengthFieldDamaged(data, at, Math.min(n, blockEnd)))
    ) {
      pending = [{ offset: at, bytes: n - at, reason: `complete last record is damaged: ${why}` }];
      proven = true;
    }
  }
  if (proven) flush();
  return { records, validLength, tornTail: validLength < n && !proven, corruptions };
}

/** Checks the file header: true if records follow, false if the file is empty or its header is torn. */
function checkFileHeader(data: Uint8Array, file: string): boolean {
  const n = data.length;
  if (n >= WAL_FILE_HEADER_SIZE) {
    const magic = readU32(data, 0);
    if (magic === WAL_MAGIC) {
      const version = readU32(data, 4);
      if (version < WAL_OLDEST_READABLE_VERSION || version > WAL_FORMAT_VERSION) {
        throw new NotSupportedError(
          `Cannot read WAL "${file}": format version ${version} is not supported (this build reads versions ` +
            `${WAL_OLDEST_READABLE_VERSION} to ${WAL_FORMAT_VERSION})`,
          { file },
        );
      }
      return true;
    }
  } else if (data.every((b, i) => i >= 4 || b === ((WAL_MAGIC >>> (8 * i)) & 0xff))) return false;
  if (data.every((b) => b === 0)) return false; // zero-filled before the header reached the disk
  let magic = 0;
  for (let i = Math.min(n, 4) - 1; i >= 0; i--) magic = magic * 256 + data[i]!;
  const hex = (v: number) => "0x" + v.toString(16).padStart(8, "0");
  const message = `Cannot read WAL "${file}": bad magic ${hex(magic)} (expected ${hex(WAL_MAGIC)})`;
  throw new CorruptionError(message, { file });
}

/**
 * The payload of the physical record at `pos` if it is intact (checksum good, type Full to Last, inside
 * its block and the file), else why not.
 * REQUIRES: `blockEnd` is the end of `pos`'s block and `blockEnd - pos >= WAL_RECORD_HEADER_SIZE`.
 */
function inspect(data: Uint8Array, pos: number, blockEnd: number): Uint8Array | string {
  if (pos + HEADER > data.length) return `incomplete header at offset ${pos}`;
  const len = data[pos + 4]! | (data[pos + 5]! << 8);
  const type = data[pos + 6]!;
  const end = pos + HEADER + len;
  if (end > blockEnd) return `length ${len} at offset ${pos} runs past its block`;
  if (end > data.length) return `record at offset ${pos} runs past the end of the file`;
  const crc = readU32(data, pos);
  if (crc === 0 && len === 0 && type === 0) return `zero-filled region at offset ${pos}`;
  const payload = data.subarray(pos + HEADER, end);
  if (maskCrc(crc32c(payload, WAL_TYPE_CRC[type])) !== crc) return `checksum mismatch at offset ${pos}`;
  if (type === 0 || type > LAST) return `unknown record type ${type} at offset ${pos}`;
  return payload;
}

/**
 * Whether the record at `at` claims to run past `end` although the bytes up to `end` carry its checksum:
 * a complete record whose length field was damaged, not a torn one.
 */
function lengthFieldDamaged(data: Uint8Array, at: number, end: number): boolean {
  if (at + HEADER > end) return false;
  const len = data[at + 4]! | (data[at + 5]! << 8);
  const type = data[at + 6]!;
  if (at + HEADER + len <= end || type === 0 || type > LAST) return false;
  return maskCrc(crc32c(data.subarray(at + HEADER, end), WAL_TYPE_CRC[type])) === readU32(data, at);
}

/**
 * Whether an intact record starts after the damage at `at` in the same block: a chain of intact physical
 * records that ends exactly at the end of the file or of the block. Requiring the chain to reach the end
 * keeps a record framed inside a torn payload from passing as proof.
 */
function intactChainAfter(data: Uint8Array, at: number): boolean {
  const blockEnd = at - (at % BLOCK) + BLOCK;
  const limit = Math.min(blockEnd, data.length);
  for (let q = at + 1; q + HEADER <= limit; q++) {
    const type = data[q + 6]!;
    if (type === 0 || type > LAST) continue; // cheap filter before checksumming
    let p = q;
    while (p + HEADER <= limit) {
      const r = inspect(data, p, blockEnd);
      if (typeof r === "string") break;
      p += HEADER + r.length;
    }
    if (p === data.length || (limit === blockEnd && blockEnd - p < HEADER)) return true;
  }
  return false;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
