/**
 * Decodes SSTable blocks written by `BlockBuilder`: {@linkcode Block} checks the restart array and
 * {@linkcode BlockIter} walks the entries, binary-searching restart points on seek. Every read is
 * bounds-checked, so damaged bytes raise {@linkcode CorruptionError} and never an out-of-range read, even
 * with checksums off.
 *
 * @module
 */
import { CorruptionError } from "../errors.ts";
import type { RecordType } from "../keys.ts";
import { readU32 } from "../util/coding.ts";

/** Where a block came from, for error messages. */
export interface BlockLocation {
  /** Path of the table file. */
  file: string;
  /** Offset of the block in the file. */
  offset: number;
}

/**
 * The decoded contents of one block: entries, then restart offsets (u32 LE each), then their count.
 *
 * Concurrency: immutable; share freely (the block cache does).
 *
 * @example A damaged restart count is corruption
 * ```ts
 * import { Block } from "./block_reader.ts";
 * let failed = false;
 * try { new Block(new Uint8Array([0, 0, 0, 0, 9, 0, 0, 0]), { file: "t.sst", offset: 0 }); }
 * catch (e) { failed = (e as Error).message.includes('"t.sst"'); }
 * if (!failed) throw new Error("a restart count of 9 in 8 bytes was accepted");
 * ```
 */
export class Block {
  /** Block contents without the trailer. */
  readonly data: Uint8Array;
  /** Offset where the restart array starts: entries lie in `[0, restartsOffset)`. */
  readonly restartsOffset: number;
  /** Number of restart points (at least 1). */
  readonly numRestarts: number;
  /** Table path, for error messages. */
  readonly file: string;
  /** Offset of the block in the file, for error messages. */
  readonly offset: number;

  /** @throws {CorruptionError} When the restart array does not fit the block. */
  constructor(data: Uint8Array, where: BlockLocation) {
    this.data = data;
    this.file = where.file;
    this.offset = where.offset;
    if (data.length < 8) throw this.corruption(`block of ${data.length} bytes is too short`);
    const n = readU32(data, data.length - 4);
    if (n === 0 || n > (data.length - 4) / 4) {
      throw this.corruption(`restart count ${n} does not fit in ${data.length} bytes`);
    }
    this.numRestarts = n;
    this.restartsOffset = data.length - 4 - 4 * n;
  }

  /** Offset of restart point `i`. REQUIRES: `0 <= i < numRestarts`. */
  restart(i: number): number {
    const off = readU32(this.data, this.restartsOffset + 4 * i);
    if (off >= this.restartsOffset && !(off === 0 && this.restartsOffset === 0)) {
      throw this.corruption(`restart point ${i} at ${off} is past the entries`);
    }
    return off;
  }

  /** A {@linkcode CorruptionError} naming the file and block offset. */
  corruption(detail: string): CorruptionError {
    return new CorruptionError(
      `Cannot read block at offset ${this.offset} of table "${this.file}": ${detail}`,
      {
        file: this.file,
      },
    );
  }
}

const EMPTY = new Block(new Uint8Array([0, 0, 0, 0, 1, 0, 0, 0]), { file: "", offset: 0 });

/** Compares `buf[0, len)` with `key` bytewise. */
function compareKey(buf: Uint8Array, len: number, key: Uint8Array): number {
  const n = len < key.length ? len : key.length;
  for (let i = 0; i < n; i++) {
    const d = buf[i]! - key[i]!;
    if (d !== 0) return d;
  }
  return len - key.length;
}

/**
 * A cursor over one block's entries in internal order. One instance is reused across blocks with
 * `init()`; the key is rebuilt in an owned buffer, so moving allocates nothing.
 *
 * Concurrency: single owner.
 *
 * @example Seek to the newest version at or below a snapshot
 * ```ts
 * import { BlockBuilder } from "./block_builder.ts";
 * import { Block, BlockIter } from "./block_reader.ts";
 * const k = new Uint8Array([7]);
 * const b = new BlockBuilder(16);
 * for (const seq of [9, 5, 2]) b.add(k, seq, 1, new Uint8Array([seq]));
 * const it = new BlockIter();
 * it.init(new Block(b.finish().slice(), { file: "example", offset: 0 }));
 * it.seek(k, 6);
 * if (!it.valid() || it.seq() !== 5 || !it.keyEquals(k)) throw new Error("wrong version");
 * ```
 */
export class BlockIter {
  #block: Block = EMPTY;
  #data: Uint8Array = EMPTY.data;
  #limit = 0;
  #valid = false;
  #next = 0;
  #key = new Uint8Array(64);
  #keyLen = 0;
  #keyView: Uint8Array | undefined;
  #seq = 0;
  #type: RecordType = 0;
  #valOff = 0;
  #valLen = 0;

  /** Points the cursor at `block` (not positioned: call a seek). */
  init(block: Block): void {
    this.#block = block;
    this.#data = block.data;
    this.#limit = block.restartsOffset;
    this.#valid = false;
  }

  /** Whether the cursor is on an entry. */
  valid(): boolean {
    return this.#valid;
  }

  /** Moves to the first entry. */
  seekToFirst(): void {
    this.#keyLen = 0;
    this.#parse(0);
  }

  /** Moves to the first entry at or after `(key, seq)` in internal order. */
  seek(key: Uint8Array, seq: number): void {
    const block = this.#block;
    let lo = 0;
    let hi = block.numRestarts - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      this.#keyLen = 0;
      this.#parse(block.restart(mid));
      if (!this.#valid) throw block.corruption(`restart point ${mid} is empty`);
      const c = compareKey(this.#key, this.#keyLen, key);
      if (c < 0 || (c === 0 && this.#seq > seq)) lo = mid;
      else hi = mid - 1;
    }
    this.#keyLen = 0;
    this.#parse(block.restart(lo));
    while (this.#valid) {
      const c = compareKey(this.#key, this.#keyLen, key);
      if (c > 0 || (c === 0 && this.#seq <= seq)) return;
      this.#parse(this.#next);
    }
  }

  /** Moves to the next entry. REQUIRES: valid(). */
  next(): void {
    this.#parse(this.#next);
  }

  /** The current user key: a view valid until the next move. REQUIRES: valid(). */
  key(): Uint8Array {
    return this.#keyView ??= this.#key.subarray(0, this.#keyLen);
  }

  /** Whether the current user key equals `key` (no allocation). REQUIRES: valid(). */
  keyEquals(key: Uint8Array): boolean {
    return this.#keyLen === key.length && compareKey(this.#key, this.#keyLen, key) === 0;
  }

  /** The current sequence number. REQUIRES: valid(). */
  seq(): number {
    return this.#seq;
  }

  /** The current record type. REQUIRES: valid(). */
  type(): RecordType {
    return this.#type;
  }

  /** The current value: a view into the block (do not modify). REQUIRES: valid(). */
  value(): Uint8Array {
    return this.#data.subarray(this.#valOff, this.#valOff + this.#valLen);
  }

  /** A copy of the current value. REQUIRES: valid(). */
  valueCopy(): Uint8Array {
    return this.#data.slice(this.#valOff, this.#valOff + this.#valLen);
  }

  /** Decodes the entry at `p`, or becomes invalid at the end of the entries. */
  #parse(p: number): void {
    this.#keyView = undefined;
    const d = this.#data;
    const limit = this.#limit;
    if (p >= limit) {
      this.#valid = false;
      return;
    }
    const start = p;
    let shared: number;
    let unshared: number;
    let vlen: number;
    if (p + 3 <= limit && (d[p]! | d[p + 1]! | d[p + 2]!) < 128) {
      shared = d[p]!;
      unshared = d[p + 1]!;
      vlen = d[p + 2]!;
      p += 3;
    } else {
      shared = this.#varint(p, "shared length");
      p = this.#next;
      unshared = this.#varint(p, "unshared length");
      p = this.#next;
      vlen = this.#varint(p, "value length");
      p = this.#next;
    }
    if (shared > this.#keyLen) {
      throw this.#block.corruption(
        `entry at ${start}: shared prefix ${shared} exceeds previous key length ${this.#keyLen}`,
      );
    }
    if (unshared > limit - p) {
      throw this.#block.corruption(`entry at ${start}: key of ${unshared} bytes is truncated`);
    }
    const klen = shared + unshared;
    if (klen > this.#key.length) {
      const next = new Uint8Array(klen * 2);
      next.set(this.#key.subarray(0, shared));
      this.#key = next;
    }
    const key = this.#key;
    if (unshared < 32) { for (let i = 0; i < unshared; i++) key[shared + i] = d[p + i]!; }
    else key.set(d.subarray(p, p + unshared), shared);
    this.#keyLen = klen;
    p += unshared;
    if (p < limit && d[p]! < 128) {
      this.#seq = d[p++]!;
    } else {
      this.#seq = this.#varint(p, "seq");
      p = this.#next;
    }
    if (p >= limit) throw this.#block.corruption(`entry at ${start}: type byte is missing`);
    const type = d[p++]!;
    if (type > 1) throw this.#block.corruption(`entry at ${start}: unknown record type ${type}`);
    this.#type = type as RecordType;
    if (vlen > limit - p) {
      throw this.#block.corruption(`entry at ${start}: value of ${vlen} bytes is truncated`);
    }
    this.#valOff = p;
    this.#valLen = vlen;
    this.#next = p + vlen;
    this.#valid = true;
  }

  /** Decodes a varint at `p` below the entry limit; leaves the end offset in `#next`. */
  #varint(p: number, field: string): number {
    const d = this.#data;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8 && p < this.#limit; i++) {
      const b = d[p++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.#next = p;
        return result;
      }
      mul *= 0x80;
    }
    throw this.#block.corruption(`varint "${field}" before ${p} is truncated or too long`);
  }
}
