/**
 * Folds the bounds a `DbIterator` accepts (`gt`, `gte`, `lt`, `lte`, `prefix`) into one lower and one
 * upper bound, so that the cursor compares each key with at most one bound.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { compareBytes } from "../util/coding.ts";

/** A range of user keys; an absent bound is open. */
export interface KeyRange {
  lower: Uint8Array | undefined;
  lowerExclusive: boolean;
  upper: Uint8Array | undefined;
  upperInclusive: boolean;
}

/** The smallest key above every key that starts with `prefix`; undefined when there is none (all 0xff). */
function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] !== 0xff) {
      const end = prefix.slice(0, i + 1);
      end[i]!++;
      return end;
    }
  }
  return undefined;
}

/**
 * The intersection of the given bounds. A prefix `p` is the range `[p, prefixEnd(p))`: `[1, 0xff]`
 * becomes `[[1, 0xff], [2])`.
 *
 * @param bounds Lower bound `gt` or `gte`, upper bound `lt` or `lte`, and `prefix`, each optional.
 * @returns The tightest lower and upper bound (on a tie, the exclusive one).
 * @throws {InvalidArgumentError} When both `gt` and `gte`, or both `lt` and `lte`, are given.
 *
 * @example A prefix narrows a wider range
 * ```ts
 * import { keyRange } from "./_key_range.ts";
 * const r = keyRange({ gte: new Uint8Array([0]), prefix: new Uint8Array([1, 0xff]) });
 * if (r.lower?.join() !== "1,255" || r.upper?.join() !== "2" || r.upperInclusive) throw new Error("bad range");
 * ```
 */
export function keyRange(bounds: {
  gt?: Uint8Array;
  gte?: Uint8Array;
  lt?: Uint8Array;
  lte?: Uint8Array;
  prefix?: Uint8Array;
}): KeyRange {
  const { gt, gte, lt, lte, prefix } = bounds;
  if (gt !== undefined && gte !== undefined) {
    throw new InvalidArgumentError("Cannot create iterator: both gt and gte");
  }
  if (lt !== undefined && lte !== undefined) {
    throw new InvalidArgumentError("Cannot create iterator: both lt and lte");
  }
  let lower = gt ?? gte, lowerExclusive = gt !== undefined;
  if (prefix !== undefined && (lower === undefined || compareBytes(prefix, lower) > 0)) {
    lower = prefix;
    lowerExclusive = false;
  }
  let upper = lt ?? lte, upperInclusive = lte !== undefined;
  const end = prefix === undefined ? undefined : prefixEnd(prefix);
  if (end !== undefined && (upper === undefined || compareBytes(end, upper) <= 0)) {
    upper = end;
    upperInclusive = false;
  }
  return { lower, lowerExclusive, upper, upperInclusive };
}
