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

/** Checks a record's magic and version; returns a reader positioned after the header, and its flags. */
function readHeader(id: string, data: Uint8Array, where: string): { r: ByteReader; flags: number } {
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
  return { r, flags: r.u8("flags") };
}

/** Decodes a record; throws `CorruptionError` naming the field and `where`. */
export function decodeRecord(id: string, data: Uint8Array, where: string): StoredRecord {
  const { r, flags } = readHeader(id, data, where);
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

/**
 * A stored record read without decoding all of it: the header (times, label) is decoded at once, and
 * the text, vector and payload only when asked for. For scans that look at many records and use few of
 * their fields (a recall checks validity and reads vectors of hundreds of candidates).
 *
 * @example Only the asked-for parts are decoded
 * ```ts
 * import { encodeRecord, viewRecord } from "./record_codec.ts";
 * const bytes = encodeRecord({ id: "a", eventTime: 5, recordTime: 6, validFrom: 5, text: "hi", payload: new Uint8Array([9]),
 *   vector: Float32Array.of(1, 2), label: 3 });
 * const v = viewRecord("a", bytes, "example");
 * if (v.eventTime !== 5 || v.label !== 3 || v.text() !== "hi" || v.vector()![1] !== 2 || v.payload()[0] !== 9) {
 *   throw new Error("bad view");
 * }
 * ```
 */
export class RecordView {
  /** The record id. */
  readonly id: string;
  readonly eventTime: number;
  readonly recordTime: number;
  readonly validFrom: number;
  readonly validTo: number | undefined;
  /** Vector label, when the record has a vector. */
  readonly label: number | undefined;
  readonly #data: Uint8Array;
  readonly #text: [number, number] | undefined;
  readonly #vector: [number, number] | undefined;
  readonly #payload: [number, number];
  /** The in-place vector view, once made. */
  #inPlace: Float32Array | undefined;

  /** Use {@linkcode viewRecord}. */
  constructor(id: string, data: Uint8Array, where: string) {
    const { r, flags } = readHeader(id, data, where);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const f64 = (field: string) => {
      const at = r.bytes(8, field).byteOffset - data.byteOffset;
      return view.getFloat64(at, true);
    };
    this.id = id;
    this.eventTime = f64("eventTime");
    this.recordTime = f64("recordTime");
    this.validFrom = f64("validFrom");
    this.validTo = flags & 4 ? f64("validTo") : undefined;
    this.label = flags & 2 ? r.u32("label") : undefined;
    if (flags & 1) {
      const n = r.varint("text.length");
      this.#text = [r.pos, n];
      r.bytes(n, "text");
    }
    if (flags & 2) {
      const d = r.varint("dimension");
      this.#vector = [r.pos, d];
      r.bytes(4 * d, "vector");
    }
    const n = r.varint("payload.length");
    this.#payload = [r.pos, n];
    r.bytes(n, "payload");
    this.#data = data;
  }

  /** The text, decoded now; undefined when the record has none. */
  text(): string | undefined {
    const t = this.#text;
    return t && dec.decode(this.#data.subarray(t[0], t[0] + t[1]));
  }

  /** A copy of the vector; undefined when the record has none. */
  vector(): Float32Array | undefined {
    const v = this.#vector;
    if (!v) return undefined;
    return new Float32Array(this.#data.slice(v[0], v[0] + 4 * v[1]).buffer);
  }

  /**
   * The vector for reading only: a view of the stored bytes when they sit at a 4-byte aligned offset (as
   * {@linkcode viewRecordCopy} lays them out), else a copy. Do not modify it. Undefined when the record has
   * no vector.
   */
  vectorView(): Float32Array | undefined {
    if (this.#inPlace) return this.#inPlace;
    const v = this.#vector;
    if (!v) return undefined;
    const at = this.#data.byteOffset + v[0];
    if (at % 4 !== 0) return this.vector();
    return this.#inPlace = new Float32Array(this.#data.buffer, at, v[1]);
  }

  /** Offset of the vector's components in the bytes, or -1 without a vector. */
  get vectorOffset(): number {
    return this.#vector ? this.#vector[0] : -1;
  }

  /** The payload (a view of the stored bytes: do not modify). */
  payload(): Uint8Array {
    return this.#data.subarray(this.#payload[0], this.#payload[0] + this.#payload[1]);
  }

  /** The whole record, as {@linkcode decodeRecord} gives it. */
  record(): StoredRecord {
    const out: StoredRecord = {
      id: this.id,
      eventTime: this.eventTime,
      recordTime: this.recordTime,
      validFrom: this.validFrom,
      payload: this.payload().slice(),
    };
    if (this.validTo !== undefined) out.validTo = this.validTo;
    if (this.label !== undefined) out.label = this.label;
    const text = this.text();
    if (text !== undefined) out.text = text;
    const vector = this.vector();
    if (vector) out.vector = vector;
    return out;
  }
}

/**
 * Reads a record's header and locates its other fields (see {@linkcode RecordView}).
 *
 * @throws {CorruptionError} Naming the field and `where` when the bytes do not hold a record.
 * @throws {NotSupportedError} When the record's format version is too new.
 */
export function viewRecord(id: string, data: Uint8Array, where: string): RecordView {
  return new RecordView(id, data, where);
}

/**
 * Like {@linkcode viewRecord}, over a copy of `data` in a buffer of its own, placed so that the vector's
 * components start at a 4-byte aligned offset: {@linkcode RecordView.vectorView} then reads them in place.
 * For views that are kept (a cache) and read many times.
 *
 * @throws {CorruptionError} Naming the field and `where` when the bytes do not hold a record.
 * @throws {NotSupportedError} When the record's format version is too new.
 *
 * @example The vector is read in place
 * ```ts
 * import { encodeRecord, viewRecordCopy } from "./record_codec.ts";
 * const bytes = encodeRecord({ id: "a", eventTime: 5, recordTime: 6, validFrom: 5, text: "hi", payload: new Uint8Array(),
 *   vector: Float32Array.of(1, 2), label: 3 });
 * const v = viewRecordCopy("a", bytes, "example");
 * const a = v.vectorView()!, b = v.vectorView()!;
 * if (a.buffer !== b.buffer || a[1] !== 2 || v.text() !== "hi") throw new Error("not read in place");
 * ```
 */
export function viewRecordCopy(id: string, data: Uint8Array, where: string): RecordView {
  const first = new RecordView(id, data, where);
  const pad = first.vectorOffset < 0 ? 0 : (4 - (first.vectorOffset % 4)) % 4;
  const copy = new Uint8Array(new ArrayBuffer(pad + data.byteLength), pad);
  copy.set(data);
  return new RecordView(id, copy, where);
}
