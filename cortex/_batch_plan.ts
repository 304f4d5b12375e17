/**
 * What the two USE lite runners share around a model call: how to cut a length-sorted batch into calls,
 * and how to turn the flat [B, D] output into unit vectors.
 *
 * @module
 */

/**
 * Splits a batch, sorted by token count, into model calls of consecutive texts.
 *
 * A call pads every text to the call's longest, so it minimises the modelled cost, the sum over calls of
 * `callCost + rows * T_max`, by dynamic programming over the split points: O(B * maxRows).
 *
 * @param lens Token counts, [B], ascending.
 * @param callCost The fixed cost of one call, in padded tokens.
 * @param maxRows The most texts in one call.
 * @returns The number of texts in each call, in order; they sum to B.
 *
 * @example Short and long texts go to separate calls
 * ```ts
 * import { planCalls } from "./_batch_plan.ts";
 * const rows = planCalls([3, 3, 4, 120, 128], 20, 64);
 * if (rows.join() !== "3,2") throw new Error(`${rows}`);
 * ```
 */
export function planCalls(lens: number[], callCost: number, maxRows: number): number[] {
  const B = lens.length;
  const best = new Float64Array(B + 1).fill(Infinity); // best[e]: cost of texts [0, e)
  const from = new Int32Array(B + 1); // from[e]: where the last call of best[e] starts
  best[0] = 0;
  for (let e = 1; e <= B; e++) {
    for (let s = Math.max(0, e - maxRows); s < e; s++) {
      const cost = best[s]! + callCost + (e - s) * lens[e - 1]!;
      if (cost < best[e]!) {
        best[e] = cost;
        from[e] = s;
      }
    }
  }
  const rows: number[] = [];
  for (let e = B; e > 0; e = from[e]!) rows.push(e - from[e]!);
  return rows.reverse();
}

/**
 * Cuts a flat [B, D] output into B unit-norm vectors (copies); a zero row stays zero.
 *
 * @param flat The model output, row-major.
 * @param B Rows.
 * @param D Row width.
 */
export function unitRows(flat: Float32Array, B: number, D: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let b = 0; b < B; b++) {
    const v = flat.slice(b * D, (b + 1) * D);
    let s = 0;
    for (let i = 0; i < D; i++) s += v[i]! * v[i]!;
    const k = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let i = 0; i < D; i++) v[i] = v[i]! * k;
    out.push(v);
  }
  return out;
}

/**
 * Token ids of each text for a USE lite runner: cut to `maxTokens`; a text with no tokens becomes a lone
 * unknown piece (id 0), so that no row of a call is empty.
 *
 * @param encode The tokenizer.
 * @param texts The texts.
 * @param maxTokens The most tokens the model reads per text.
 */
export function tokenRows(
  encode: (text: string) => Int32Array,
  texts: string[],
  maxTokens: number,
): Int32Array[] {
  return texts.map((t) => {
    const tokens = encode(t);
    return tokens.length > 0 ? tokens.subarray(0, maxTokens) : Int32Array.of(0);
  });
}

/**
 * Runs token rows through a model in the calls {@linkcode planCalls} picks after sorting them by length,
 * and returns the vectors in input order.
 *
 * @param ids Token rows, none empty.
 * @param callCost See {@linkcode planCalls}.
 * @param maxRows See {@linkcode planCalls}.
 * @param run One model call on rows of similar length.
 */
export async function runSorted(
  ids: Int32Array[],
  callCost: number,
  maxRows: number,
  run: (rows: Int32Array[]) => Promise<Float32Array[]>,
): Promise<Float32Array[]> {
  const order = ids.map((_, b) => b).sort((a, b) => ids[a]!.length - ids[b]!.length);
  const out = new Array<Float32Array>(ids.length);
  let start = 0;
  for (const rows of planCalls(order.map((b) => ids[b]!.length), callCost, maxRows)) {
    const part = order.slice(start, start + rows);
    const vecs = await run(part.map((b) => ids[b]!));
    for (let j = 0; j < rows; j++) out[part[j]!] = vecs[j]!;
    start += rows;
  }
  return out;
}
