/**
 * Seeded pseudo-random numbers for the engine. Randomness is an input (see the style guide): anything
 * that samples (the skiplist's node heights, test data) takes an {@linkcode Rng}, and this module supplies
 * the default, a small deterministic generator.
 *
 * @module
 */

/** A source of uniformly distributed numbers in [0, 1), like `Math.random`. */
export type Rng = () => number;

/**
 * Returns a mulberry32 generator: 32 bits of state, period 2^32, good enough for node heights and test
 * data, and the same sequence on every platform for a given seed. Not for cryptography.
 *
 * @param seed Any number; only its low 32 bits are used.
 * @returns A function yielding numbers in [0, 1) with a resolution of 2^-32.
 *
 * @example The same seed gives the same sequence
 * ```ts
 * import { mulberry32 } from "./rng.ts";
 * const a = mulberry32(42), b = mulberry32(42);
 * const x = a();
 * if (x !== b() || x < 0 || x >= 1) throw new Error(`unexpected ${x}`);
 * ```
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
