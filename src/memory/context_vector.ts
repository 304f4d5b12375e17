/**
 * A memory's stored vector. A turn of a conversation often means little alone ("Adoption agencies!"),
 * so a memory with a previous memory in its session is embedded twice, alone and after that one, and
 * stores the mean of the two unit vectors: its cosine with a query is then the mean of the two cosines
 * (LoCoMo: +1.3 points of recall@10 over the memory alone; `bench/LOCOMO_NOTES.md`). One vector is stored,
 * so search costs nothing more; a write embeds two texts.
 *
 * @module
 */

/**
 * The text embedded for a memory's context: the previous memory's index text, a line break, its own.
 *
 * @example
 * ```ts
 * import { contextText } from "./context_vector.ts";
 * if (contextText("ada: what did you research?", "bob: adoption agencies") !== "ada: what did you research?\nbob: adoption agencies") {
 *   throw new Error("bad context text");
 * }
 * ```
 */
export function contextText(previous: string, own: string): string {
  return `${previous}\n${own}`;
}

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  return n > 0 ? v.map((x) => x / n) : v.slice();
}

/**
 * The vector to store: the unit vector of the memory's own embedding, or the mean of it and the unit
 * vector of its context's embedding.
 *
 * @param own The embedding of the memory's text.
 * @param context The embedding of {@linkcode contextText}, when the memory has a previous one.
 * @returns A new vector of the same dimension.
 *
 * @example The cosine with the mean is the mean of the cosines
 * ```ts
 * import { memoryVector } from "./context_vector.ts";
 * const v = memoryVector(Float32Array.of(2, 0), Float32Array.of(0, 1));
 * if (v[0] !== 0.5 || v[1] !== 0.5) throw new Error(String(v));
 * ```
 */
export function memoryVector(own: Float32Array, context?: Float32Array): Float32Array {
  const a = unit(own);
  if (!context) return a;
  const b = unit(context);
  return a.map((x, i) => (x + b[i]!) / 2);
}
