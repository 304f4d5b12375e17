/**
 * The benchmark's data set: 16-byte keys `key:%012d`, 1 KiB incompressible values and a shuffled load
 * order, all derived from one seed so that every engine gets exactly the same bytes in the same order.
 *
 * @module
 */

/** Length of every key in bytes (`key:` plus 12 digits). */
export const KEY_BYTES = 16;
/** Length of every value in bytes. */
export const VALUE_BYTES = 1024;
/** Distinct values in the pool; value `i` is a copy of pool entry `mix(i) % VALUE_POOL`. */
const VALUE_POOL = 4096;

/** A 32-bit PRNG (mulberry32): fast, seedable, good enough to pick keys and fill values. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Integer hash (lowbias32), used to map a key index to its value. */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Keys, values and orders for one run.
 *
 * Values are copies of 4096 distinct random 1 KiB blocks: each value is incompressible on its own, the
 * pool costs 4 MiB instead of N KiB, and every call returns a fresh array (T4DX keeps the arrays it is
 * given, and Deno KV serialises a view's whole buffer), so no engine sees shared or aliased memory.
 */
export class Dataset {
  readonly #pool: Uint8Array;
  readonly #seed: number;

  constructor(seed: number) {
    this.#seed = seed;
    const rnd = mulberry32(seed);
    const words = new Uint32Array(VALUE_POOL * VALUE_BYTES / 4);
    for (let i = 0; i < words.length; i++) words[i] = rnd();
    this.#pool = new Uint8Array(words.buffer);
  }

  /** The key of index `i` as fresh bytes, e.g. `key:000000000042`. */
  key(i: number): Uint8Array {
    const k = new Uint8Array(KEY_BYTES);
    k[0] = 0x6b, k[1] = 0x65, k[2] = 0x79, k[3] = 0x3a; // "key:"
    for (let p = KEY_BYTES - 1; p >= 4; p--) {
      k[p] = 0x30 + (i % 10);
      i = Math.floor(i / 10);
    }
    return k;
  }

  /** The value of index `i` as a fresh 1 KiB array. */
  value(i: number): Uint8Array {
    const off = (mix(i ^ this.#seed) % VALUE_POOL) * VALUE_BYTES;
    return this.#pool.slice(off, off + VALUE_BYTES);
  }

  /** A seeded random permutation of `0..n-1` (Fisher-Yates), the order keys are loaded in. */
  permutation(n: number, salt: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    const rnd = mulberry32(this.#seed ^ mix(salt));
    for (let i = n - 1; i > 0; i--) {
      const j = rnd() % (i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /** `count` seeded uniform picks from `0..n-1` (with repeats). */
  picks(count: number, n: number, salt: number): Uint32Array {
    const out = new Uint32Array(count);
    const rnd = mulberry32(this.#seed ^ mix(salt));
    for (let i = 0; i < count; i++) out[i] = rnd() % n;
    return out;
  }
}

/** Whether two byte arrays hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
