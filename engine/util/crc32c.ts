/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), slice-by-8 in plain TypeScript, with the
 * LevelDB-style mask for checksums that are themselves stored inside checksummed data.
 *
 * @module
 */

const POLY = 0x82f63b78;
const TABLE = new Uint32Array(256 * 8);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  TABLE[i] = c >>> 0;
}
for (let i = 0; i < 256; i++) {
  for (let t = 1; t < 8; t++) {
    const prev = TABLE[(t - 1) * 256 + i]!;
    TABLE[t * 256 + i] = (TABLE[prev & 0xff]! ^ (prev >>> 8)) >>> 0;
  }
}

/**
 * Extends a CRC-32C with more bytes. Start with `crc = 0`.
 *
 * @param data The bytes to add.
 * @param crc The CRC of the bytes before `data`.
 * @returns The CRC-32C of everything so far, as an unsigned 32-bit number.
 *
 * @example The standard check value
 * ```ts
 * import { crc32c } from "./crc32c.ts";
 * if (crc32c(new TextEncoder().encode("123456789")) !== 0xe3069283) throw new Error("wrong crc");
 * ```
 */
export function crc32c(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  let i = 0;
  const n = data.length;
  const T = TABLE;
  for (; i + 8 <= n; i += 8) {
    const a = (c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    c = T[7 * 256 + (a & 0xff)]! ^ T[6 * 256 + ((a >>> 8) & 0xff)]! ^ T[5 * 256 + ((a >>> 16) & 0xff)]! ^
      T[4 * 256 + (a >>> 24)]! ^ T[3 * 256 + data[i + 4]!]! ^ T[2 * 256 + data[i + 5]!]! ^
      T[256 + data[i + 6]!]! ^ T[data[i + 7]!]!;
  }
  for (; i < n; i++) c = T[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const MASK_DELTA = 0xa282ead8;

/**
 * Masks a CRC before it is stored, so that a CRC of data containing CRCs stays well distributed
 * (LevelDB `crc32c::Mask`).
 *
 * @example Round trip
 * ```ts
 * import { maskCrc, unmaskCrc } from "./crc32c.ts";
 * if (unmaskCrc(maskCrc(12345)) !== 12345) throw new Error("mask does not round-trip");
 * ```
 */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** Inverts {@linkcode maskCrc}. */
export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
