/**
 * Time-sortable memory ids: UUIDv7 (RFC 9562 §5.7) from an injected clock and random source.
 *
 * @module
 */

/** A source of milliseconds since the epoch. */
export type Clock = () => number;
/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Makes UUIDv7 ids that sort by creation time, strictly increasing within one generator even when the
 * clock stalls or steps back (the 12-bit `rand_a` field is used as a counter, RFC 9562 method 1).
 *
 * @example Ids sort in creation order
 * ```ts
 * import { uuidv7Generator } from "./ids.ts";
 * const next = uuidv7Generator(() => 1_700_000_000_000, () => 0.5);
 * const a = next(), b = next();
 * if (!(a < b) || a[14] !== "7") throw new Error(`${a} ${b}`);
 * ```
 */
export function uuidv7Generator(clock: Clock, random: Random): () => string {
  let lastMs = -1;
  let counter = 0;
  return () => {
    let ms = Math.floor(clock());
    if (ms <= lastMs) {
      counter++;
      if (counter > 0xfff) {
        lastMs++;
        counter = 0;
      }
      ms = lastMs;
    } else {
      lastMs = ms;
      counter = Math.floor(random() * 0x400); // leave room to count up within the millisecond
    }
    const b = new Uint8Array(16);
    const hi = Math.floor(ms / 0x100000000);
    const lo = ms >>> 0;
    b[0] = (hi >>> 8) & 0xff;
    b[1] = hi & 0xff;
    b[2] = lo >>> 24;
    b[3] = (lo >>> 16) & 0xff;
    b[4] = (lo >>> 8) & 0xff;
    b[5] = lo & 0xff;
    b[6] = 0x70 | (counter >>> 8);
    b[7] = counter & 0xff;
    for (let i = 8; i < 16; i++) b[i] = Math.floor(random() * 256);
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = Array.from(b, (x) => HEX[x]!).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
}
