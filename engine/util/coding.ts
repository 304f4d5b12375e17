/**
 * Byte coding shared by every on-disk format: little-endian fixed-width integers, LEB128 varints and a
 * growable output buffer. Integers above 2^32 are JavaScript numbers up to 2^53 (sequence numbers and
 * file offsets never get near that).
 *
 * @module
 */
import { CorruptionError } from "../errors.ts";

/**
 * A growable byte buffer that formats append into.
 *
 * Concurrency: single owner; not shared between async calls.
 *
 * @example Append and read back
 * ```ts
 * import { ByteWriter, ByteReader } from "./coding.ts";
 * const w = new ByteWriter();
 * w.varint(300); w.u32(7); w.u64(2 ** 40);
 * const r = new ByteReader(w.finish(), "example");
 * if (r.varint("a") !== 300 || r.u32("b") !== 7 || r.u64("c") !== 2 ** 40) throw new Error("bad");
 * ```
 */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;
  constructor(capacity = 256) {
    this.#buf = new Uint8Array(capacity);
    this.#view = new DataView(this.#buf.buffer);
  }
  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }
  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }
  /** Appends one byte. */
  u8(v: number): void {
    this.#ensure(1);
    this.#buf[this.#len++] = v;
  }
  /** Appends a little-endian unsigned 32-bit integer. */
  u32(v: number): void {
    this.#ensure(4);
    this.#view.setUint32(this.#len, v >>> 0, true);
    this.#len += 4;
  }
  /** Appends a little-endian unsigned 64-bit integer (REQUIRES: 0 <= v < 2^53). */
  u64(v: number): void {
    this.#ensure(8);
    this.#view.setUint32(this.#len, v % 0x100000000, true);
    this.#view.setUint32(this.#len + 4, Math.floor(v / 0x100000000), true);
    this.#len += 8;
  }
  /** Appends an unsigned LEB128 varint (REQUIRES: 0 <= v < 2^53). */
  varint(v: number): void {
    this.#ensure(10);
    while (v >= 0x80) {
      this.#buf[this.#len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.#len++] = v;
  }
  /** Appends raw bytes. */
  bytes(b: Uint8Array): void {
    this.#ensure(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }
  /** Appends a varint length followed by the bytes. */
  lengthPrefixed(b: Uint8Array): void {
    this.varint(b.length);
    this.bytes(b);
  }
  /** Overwrites a u32 at an earlier offset. */
  patchU32(offset: number, v: number): void {
    this.#view.setUint32(offset, v >>> 0, true);
  }
  /** A view of the bytes written so far (shares memory until the next write). */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
  /** A copy of the bytes written, and resets the writer. */
  finish(): Uint8Array {
    const out = this.#buf.slice(0, this.#len);
    this.#len = 0;
    return out;
  }
  /** Forgets what was written, keeping the capacity. */
  reset(): void {
    this.#len = 0;
  }
}

/**
 * A bounds-checked cursor over bytes. Every read names the field it decodes so that a
 * {@linkcode CorruptionError} says what failed.
 */
export class ByteReader {
  readonly buf: Uint8Array;
  readonly #view: DataView;
  readonly #what: string;
  /** Current offset. */
  pos: number;
  constructor(buf: Uint8Array, what: string, pos = 0) {
    this.buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#what = what;
    this.pos = pos;
  }
  /** Bytes left. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  #need(n: number, field: string): void {
    if (this.pos + n > this.buf.length) {
      throw new CorruptionError(
        `Cannot decode ${this.#what}: field "${field}" needs ${n} bytes at offset ${this.pos}, ${this.remaining} left`,
      );
    }
  }
  /** Reads one byte. */
  u8(field: string): number {
    this.#need(1, field);
    return this.buf[this.pos++]!;
  }
  /** Reads a little-endian u32. */
  u32(field: string): number {
    this.#need(4, field);
    const v = this.#view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  /** Reads a little-endian u64 (must be below 2^53). */
  u64(field: string): number {
    this.#need(8, field);
    const lo = this.#view.getUint32(this.pos, true);
    const hi = this.#view.getUint32(this.pos + 4, true);
    if (hi >= 0x200000) {
      throw new CorruptionError(`Cannot decode ${this.#what}: field "${field}" exceeds 2^53`);
    }
    this.pos += 8;
    return hi * 0x100000000 + lo;
  }
  /** Reads an unsigned LEB128 varint. */
  varint(field: string): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      this.#need(1, field);
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
    }
    throw new CorruptionError(`Cannot decode ${this.#what}: varint "${field}" is longer than 8 bytes`);
  }
  /** Reads `n` raw bytes (a view, not a copy). */
  bytes(n: number, field: string): Uint8Array {
    this.#need(n, field);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** Reads a varint length and that many bytes. */
  lengthPrefixed(field: string): Uint8Array {
    return this.bytes(this.varint(field + ".length"), field);
  }
}

/** Byte-wise lexicographic comparison of two keys: negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Length of the common prefix of two byte strings. */
export function sharedPrefixLength(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Reads a little-endian u32 from `buf` at `off`. */
export function readU32(buf: Uint8Array, off: number): number {
  return (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24)) >>> 0;
}

/** Writes a little-endian u32 into `buf` at `off`. */
export function writeU32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v & 0xff;
  buf[off + 1] = (v >>> 8) & 0xff;
  buf[off + 2] = (v >>> 16) & 0xff;
  buf[off + 3] = (v >>> 24) & 0xff;
}
