/**
 * The stored form of an indexed record: its times, optional text and vector, and an opaque payload
 * that the engine never interprets.
 *
 * Byte layout (all little-endian):
 *
 * | field       | size        | encoding | notes                                         |
 * |-------------|-------------|----------|-----------------------------------------------|
 * | magic       | 1           | u8       | 0xA7                                          |
 * | version     | 1           | u8       | {@linkcode RecordFormatVersion}               |
 * | flags       | 1           | u8       | bit 0 text, bit 1 vector, bit 2 validTo set   |
 * | eventTime   | 8           | f64      | ms since epoch                                |
 * | recordTime  | 8           | f64      | ms since epoch                                |
 * | validFrom   | 8           | f64      | ms since epoch                                |
 * | validTo     | 8           | f64      | present only with flag bit 2                  |
 * | label       | 4           | u32      | present only with a vector                    |
 * | text        | varint + n  | UTF-8    | present only with flag bit 0                  |
 * | vector      | varint + 4d | f32[d]   | dimension, then components; with bit 1        |
 * | payload     | varint + n  | bytes    | opaque                                        |
 *
 * Worked example: no text, no vector, 3-byte payload: 3 + 8 + 8 + 8 + 1 + 3 = 31 bytes. With a 512-d
 * vector and 60 bytes of text add 4 (label) + 1 + 60 + 2 + 2048: 2146 bytes.
 *
 * The record's checksum is the enclosing SSTable block's or WAL record's CRC-32C.
 *
 * @module
 */
import { CorruptionError, NotSupportedError } from "../errors.ts";
import { ByteReader, ByteWriter } from "../util/coding.ts";

/** ON DISK, NEVER CHANGE. */
export const RECORD_MAGIC = 0xa7;
/** Record format versions. */
export enum RecordFormatVersion {
  /** Initial version. */
  V1 = 1,
}

/** A record as callers see it. */
export interface IndexedRecord {
  /** Unique within the collection; UTF-8 without NUL, at most 512 bytes. */
  id: string;
  /** When it happened (ms since epoch). Indexed. */
  eventTime: number;
  /** When it was stored (ms since epoch). Indexed. */
  recordTime: number;
  /** Start of validity (bitemporal). @default eventTime */
  validFrom?: number;
  /** End of validity, exclusive; absent while valid. */
  validTo?: number;
  /** Text for the lexical index. */
  text?: string;
  /** Vector for the vector index (the collection's dimension). */
  vector?: Float32Array;
  /** Opaque bytes for the layer above. */
  payload: Uint8Array;
}

/** A decoded record plus its vector label. */
export interface StoredRecord extends IndexedRecord {
  validFrom: number;
  /** Vector label, when the record has a vector. */
  label?: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Encodes a record.
 *
 * @example Round trip
 * ```ts
 * import { decodeRecord, encodeRecord } from "./record_codec.ts";
 * const r = { id: "a", eventTime: 1, recordTime: 2, validFrom: 1, payload: new Uint8Array([9]), text: "hi" };
 * const back = decodeRecord("a", encodeRecord(r), "example");
 * if (back.text !== "hi" || back.payload[0] !== 9) throw new Error("bad round trip");
 * ```
 */
export function encodeRecord(r: StoredRecord): Uint8Array {
  const w = new ByteWriter(64 + (r.vector ? r.vector.length * 4 : 0) + r.payload.length);
  const hasText = r.text !== undefined;
  const hasVec = r.vector !== undefined;
  const hasTo = r.validTo !== undefined;
  w.u8(RECORD_MAGIC);
  w.u8(RecordFormatVersion.V1);
  w.u8((hasText ? 1 : 0) | (hasVec ? 2 : 0) | (hasTo ? 4 : 0));
  const f = new DataView(new ArrayBuffer(8));
  const f64 = (v: number) => {
    f.setFloat64(0, v, true);
    w.bytes(new Uint8Array(f.buffer));
  };
  f64(r.eventTime);
  f64(r.recordTime);
  f64(r.validFrom);
  if (hasTo) f64(r.validTo!);
  if (hasVec) w.u32(r.label ?? 0);
  if (hasText) w.lengthPrefixed(enc.encode(r.text));
  if (hasVec) {
    const v = r.vector!;
    w.varint(v.length);
    const copy = new Float32Array(v);
    w.bytes(new Uint8Array(copy.buffer));
  }
  w.lengthPrefixed(r.payload);
  return w.finish();
}

/** Decodes a record; throws `CorruptionError` naming the field and `where`. */
export function decodeRecord(id: string, data: Uint8Array, where: string): StoredRecord {
  const r = new ByteReader(data, `record ${JSON.stringify(id)} in ${where}`);
  const magic = r.u8("magic");
  if (magic !== RECORD_MAGIC) {
    throw new CorruptionError(`Cannot decode record ${JSON.stringify(id)} in ${where}: bad magic ${magic}`);
  }
  const version = r.u8("version");
  if (version > RecordFormatVersion.V1) {
    throw new NotSupportedError(
      `Cannot decode record ${JSON.stringify(id)}: format version ${version} is too new`,
    );
  }
  const flags = r.u8("flags");
  const f64 = (field: string) => {
    const b = r.bytes(8, field);
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
  };
  const out: StoredRecord = {
    id,
    eventTime: f64("eventTime"),
    recordTime: f64("recordTime"),
    validFrom: f64("validFrom"),
    payload: new Uint8Array(0),
  };
  if (flags & 4) out.validTo = f64("validTo");
  if (flags & 2) out.label = r.u32("label");
  if (flags & 1) out.text = dec.decode(r.lengthPrefixed("text"));
  if (flags & 2) {
    const d = r.varint("dimension");
    const b = r.bytes(d * 4, "vector");
    out.vector = new Float32Array(b.slice().buffer);
  }
  out.payload = r.lengthPrefixed("payload").slice();
  return out;
}
