/**
 * Atomic write batches and their encoding as a WAL record payload.
 *
 * Byte layout of one encoded batch (one WAL record; the WAL frame's CRC-32C covers all of it):
 *
 * | field    | size   | encoding                     | notes                                   |
 * |----------|--------|------------------------------|-----------------------------------------|
 * | seq      | 8      | u64 little-endian            | sequence number of the first operation  |
 * | count    | 4      | u32 little-endian            | number of operations                    |
 * | op[i]    | varies | type u8, key (varint len + bytes), value (varint len + bytes, VALUE only) | |
 *
 * Operation i gets sequence number `seq + i`.
 *
 * Worked example: `put("ab", "xyz")` then `delete("ab")` at seq 7 encodes as 12 header bytes
 * `07 00 00 00 00 00 00 00 02 00 00 00`, then `01 02 61 62 03 78 79 7a` (8 bytes), then `00 02 61 62`
 * (4 bytes): 24 bytes in all.
 *
 * @module
 */
import { CorruptionError, InvalidArgumentError } from "./errors.ts";
import { type RecordType, TYPE_DELETE, TYPE_VALUE } from "./keys.ts";
import { ByteReader, type ByteWriter } from "./util/coding.ts";

/** Size of the fixed batch header (seq + count). */
export const BATCH_HEADER_SIZE = 12;

/** One operation of a batch. */
export interface BatchOp {
  type: RecordType;
  key: Uint8Array;
  value: Uint8Array;
}

const EMPTY = new Uint8Array(0);
const enc = new TextEncoder();

/** Converts a string key or value to bytes; bytes pass through. */
export function toBytes(v: Uint8Array | string): Uint8Array {
  return typeof v === "string" ? enc.encode(v) : v;
}

/**
 * A group of puts and deletes applied atomically: after a crash either all of them are present or none.
 *
 * Concurrency: not shared; once passed to `write()` the batch must not be changed until it resolves.
 *
 * @example Build a batch
 * ```ts
 * import { WriteBatch } from "./write_batch.ts";
 * const b = new WriteBatch().put("a", "1").delete("b");
 * if (b.count !== 2) throw new Error("expected two operations");
 * ```
 */
export class WriteBatch {
  /** The operations in order. */
  readonly ops: BatchOp[] = [];
  #bytes = 0;

  /** Adds a put. Keys must be non-empty. */
  put(key: Uint8Array | string, value: Uint8Array | string): this {
    const k = toBytes(key);
    if (k.length === 0) throw new InvalidArgumentError("Cannot put: key is empty");
    const v = toBytes(value);
    this.ops.push({ type: TYPE_VALUE, key: k, value: v });
    this.#bytes += k.length + v.length + 12;
    return this;
  }
  /** Adds a delete (a tombstone). */
  delete(key: Uint8Array | string): this {
    const k = toBytes(key);
    if (k.length === 0) throw new InvalidArgumentError("Cannot delete: key is empty");
    this.ops.push({ type: TYPE_DELETE, key: k, value: EMPTY });
    this.#bytes += k.length + 6;
    return this;
  }
  /** Number of operations. */
  get count(): number {
    return this.ops.length;
  }
  /** Approximate encoded size in bytes. */
  get approximateBytes(): number {
    return this.#bytes + BATCH_HEADER_SIZE;
  }
}

/**
 * Encodes a batch's operations with its first sequence number into `out` (which is reset first).
 *
 * @example Round trip
 * ```ts
 * import { WriteBatch, encodeBatch, decodeBatch } from "./write_batch.ts";
 * import { ByteWriter } from "./util/coding.ts";
 * const out = new ByteWriter();
 * encodeBatch(new WriteBatch().put("k", "v").ops, 5, out);
 * const d = decodeBatch(out.view(), "example");
 * if (d.seq !== 5 || d.ops.length !== 1) throw new Error("bad round trip");
 * ```
 */
export function encodeBatch(ops: readonly BatchOp[], seq: number, out: ByteWriter): void {
  out.reset();
  out.u64(seq);
  out.u32(ops.length);
  for (const op of ops) {
    out.u8(op.type);
    out.lengthPrefixed(op.key);
    if (op.type === TYPE_VALUE) out.lengthPrefixed(op.value);
  }
}

/** Decodes a batch payload; throws `CorruptionError` naming the field that failed, with `file` in it. */
export function decodeBatch(payload: Uint8Array, file: string): { seq: number; ops: BatchOp[] } {
  const r = new ByteReader(payload, `write batch in "${file}"`);
  const seq = r.u64("seq");
  const count = r.u32("count");
  const ops: BatchOp[] = [];
  for (let i = 0; i < count; i++) {
    const type = r.u8("type");
    if (type !== TYPE_VALUE && type !== TYPE_DELETE) {
      throw new CorruptionError(`Cannot decode write batch in "${file}": unknown op type ${type}`);
    }
    const key = r.lengthPrefixed("key").slice();
    const value = type === TYPE_VALUE ? r.lengthPrefixed("value").slice() : EMPTY;
    ops.push({ type, key, value });
  }
  if (r.remaining !== 0) {
    throw new CorruptionError(`Cannot decode write batch in "${file}": ${r.remaining} trailing bytes`);
  }
  return { seq, ops };
}
