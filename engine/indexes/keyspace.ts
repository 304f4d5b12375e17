/**
 * Key layout of indexed collections inside one T4DX store. Every collection owns the key range that
 * starts with its prefix, so tenants never see each other's records in any index, and a collection's
 * record and all of its index entries are written in one atomic batch.
 *
 * | key                                            | value                         |
 * |------------------------------------------------|-------------------------------|
 * | `02 <name> 00 'm'`                             | collection meta (JSON)        |
 * | `02 <name> 00 'r' <id>`                        | record (indexes/record_codec) |
 * | `02 <name> 00 'e' <u64 BE event time> <id>`    | empty: event-time index       |
 * | `02 <name> 00 'c' <u64 BE record time> <id>`   | empty: record-time index      |
 * | `02 <name> 00 'p' <term> 00 <id>`              | posting: tf, doc length       |
 * | `02 <name> 00 'l' <id>`                        | vector label (u32)            |
 * | `02 <name> 00 'x' <u64 BE change number>`      | vector change log entry       |
 *
 * Times are milliseconds since the epoch shifted by 2^52 so that negative times sort correctly.
 * Collection names and ids are UTF-8 without NUL bytes.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** ON DISK, NEVER CHANGE: the first byte of every collection key. */
export const COLLECTION_TAG = 0x02;
/** ON DISK, NEVER CHANGE: sub-space tags. */
export const SPACE = {
  meta: 0x6d, // 'm'
  record: 0x72, // 'r'
  eventTime: 0x65, // 'e'
  recordTime: 0x63, // 'c'
  posting: 0x70, // 'p'
  label: 0x6c, // 'l'
  changeLog: 0x78, // 'x'
} as const;
/** Offset added to times before encoding (2^52 ms: ±142,000 years). */
export const TIME_OFFSET = 2 ** 52;

/**
 * The UTF-8 bytes of `s`. Ids and terms are mostly ASCII, and for short strings a loop is several times
 * faster than a call into the runtime's encoder.
 *
 * @example
 * ```ts
 * import { encodeUtf8 } from "./keyspace.ts";
 * if (encodeUtf8("café").length !== 5 || encodeUtf8("id-1")[0] !== 0x69) throw new Error("bad bytes");
 * ```
 */
export function encodeUtf8(s: string): Uint8Array {
  if (s.length > 256) return enc.encode(s);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return enc.encode(s);
    out[i] = c;
  }
  return out;
}

/** Checks a name or id: non-empty UTF-8 with no NUL, at most 512 bytes. */
export function checkName(what: string, s: string): Uint8Array {
  const b = encodeUtf8(s);
  if (b.length === 0 || b.length > 512 || b.includes(0)) {
    throw new InvalidArgumentError(
      `Invalid ${what} ${JSON.stringify(s)}: must be 1–512 bytes of UTF-8 without NUL`,
    );
  }
  return b;
}

/** The bytes of `parts` end to end (a byte array or a list of byte values each). */
export function concat(parts: (Uint8Array | number[])[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Encodes a u64 big-endian (REQUIRES: 0 <= v < 2^53). */
export function u64be(v: number): Uint8Array {
  const out = new Uint8Array(8);
  const hi = Math.floor(v / 0x100000000);
  const lo = v >>> 0;
  out[0] = hi >>> 24;
  out[1] = (hi >>> 16) & 0xff;
  out[2] = (hi >>> 8) & 0xff;
  out[3] = hi & 0xff;
  out[4] = lo >>> 24;
  out[5] = (lo >>> 16) & 0xff;
  out[6] = (lo >>> 8) & 0xff;
  out[7] = lo & 0xff;
  return out;
}

/** Decodes a u64 big-endian at `off`. */
export function readU64be(b: Uint8Array, off: number): number {
  const hi = ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
  const lo = ((b[off + 4]! << 24) | (b[off + 5]! << 16) | (b[off + 6]! << 8) | b[off + 7]!) >>> 0;
  return hi * 0x100000000 + lo;
}

/** Encodes a time in ms (may be negative) so that byte order is time order. */
export function encodeTime(ms: number): Uint8Array {
  const v = Math.floor(ms) + TIME_OFFSET;
  if (!Number.isFinite(v) || v < 0 || v >= 2 ** 53) {
    throw new InvalidArgumentError(`Invalid time ${ms}: out of range`);
  }
  return u64be(v);
}

/**
 * The keys of one collection.
 *
 * @example Keys of a record sort inside the collection's range
 * ```ts
 * import { Keyspace } from "./keyspace.ts";
 * const ks = new Keyspace("tenant-a");
 * const k = ks.record("m1");
 * if (k[0] !== 0x02 || new TextDecoder().decode(k).slice(-2) !== "m1") throw new Error("bad key");
 * ```
 */
export class Keyspace {
  /** The collection name. */
  readonly name: string;
  /** `02 <name> 00`: every key of the collection starts with it. */
  readonly prefix: Uint8Array;

  constructor(name: string) {
    this.name = name;
    this.prefix = concat([[COLLECTION_TAG], checkName("collection name", name), [0]]);
  }

  /** The prefix of one sub-space. */
  space(tag: number): Uint8Array {
    return concat([this.prefix, [tag]]);
  }
  /** The meta key. */
  meta(): Uint8Array {
    return this.space(SPACE.meta);
  }
  /** The record key of `id`. */
  record(id: string): Uint8Array {
    return concat([this.prefix, [SPACE.record], checkName("id", id)]);
  }
  /** The id of a record key. */
  recordId(key: Uint8Array): string {
    return dec.decode(key.subarray(this.prefix.length + 1));
  }
  /** A time-index key (`space` is SPACE.eventTime or SPACE.recordTime). */
  time(space: number, ms: number, id: string): Uint8Array {
    return concat([this.prefix, [space], encodeTime(ms), checkName("id", id)]);
  }
  /** The lower bound of a time-index scan from `ms` (inclusive). */
  timeBound(space: number, ms: number): Uint8Array {
    return concat([this.prefix, [space], encodeTime(ms)]);
  }
  /** Decodes a time-index key into its time and id. */
  parseTime(key: Uint8Array): { ms: number; id: string } {
    const o = this.prefix.length + 1;
    return { ms: readU64be(key, o) - TIME_OFFSET, id: dec.decode(key.subarray(o + 8)) };
  }
  /** The prefix of all postings of `term`. */
  postings(term: string): Uint8Array {
    return concat([this.prefix, [SPACE.posting], encodeUtf8(term), [0]]);
  }
  /** The posting key of (`term`, `id`). */
  posting(term: string, id: string): Uint8Array {
    return concat([this.postings(term), checkName("id", id)]);
  }
  /** The vector-label key of `id`. */
  label(id: string): Uint8Array {
    return concat([this.prefix, [SPACE.label], checkName("id", id)]);
  }
  /** The change-log key of change `n`. */
  change(n: number): Uint8Array {
    return concat([this.prefix, [SPACE.changeLog], u64be(n)]);
  }
}
