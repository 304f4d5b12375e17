/**
 * Leveled compaction picking. Level 0 is compacted when it holds `l0Trigger` tables; level L >= 1 when
 * its bytes exceed `levelBaseBytes * multiplier^(L-1)`. The level with the highest score goes first.
 * Write amplification is bounded by about `multiplier` per level (each byte is rewritten once per
 * level it descends, against at most `multiplier`× as many bytes below it).
 *
 * @module
 */
import { NUM_LEVELS } from "../manifest/manifest_format.ts";
import type { Version } from "../manifest/version.ts";
import type { FileMeta } from "../manifest/version_edit.ts";
import { compareBytes } from "../util/coding.ts";

/** Tuning of the picker. */
export interface PickerOptions {
  /** Level-0 table count that triggers a compaction. */
  l0Trigger: number;
  /** Bytes allowed in level 1. */
  levelBaseBytes: number;
  /** Growth of the allowance per level. */
  levelMultiplier: number;
}

/** A chosen compaction: inputs from `level` and the overlapping files of `level + 1`. */
export interface CompactionPick {
  level: number;
  outputLevel: number;
  inputs: FileMeta[];
  nextInputs: FileMeta[];
  /** Why it was picked, for stats and debugging. */
  reason: string;
}

/** Bytes allowed in `level` (>= 1). */
export function maxBytesForLevel(level: number, o: PickerOptions): number {
  return o.levelBaseBytes * o.levelMultiplier ** (level - 1);
}

function range(files: readonly FileMeta[]): [Uint8Array, Uint8Array] {
  let lo = files[0]!.smallestKey;
  let hi = files[0]!.largestKey;
  for (const f of files) {
    if (compareBytes(f.smallestKey, lo) < 0) lo = f.smallestKey;
    if (compareBytes(f.largestKey, hi) > 0) hi = f.largestKey;
  }
  return [lo, hi];
}

/**
 * Picks the most urgent compaction, or undefined when every level is within bounds.
 * `pointers[level]` is the largest key compacted last time at that level (round robin), updated here.
 *
 * @example Level 0 over its trigger
 * ```ts
 * import { pickCompaction } from "./compaction_picker.ts";
 * import { Version } from "../manifest/version.ts";
 * const k = (s: string) => new TextEncoder().encode(s);
 * let v = Version.empty();
 * for (let n = 1; n <= 4; n++) {
 *   v = v.apply({ addFiles: [{ level: 0, file: { number: n, size: 1, smallestKey: k("a"), smallestSeq: n, largestKey: k("b"), largestSeq: n, entries: 1 } }] });
 * }
 * const p = pickCompaction(v, [], { l0Trigger: 4, levelBaseBytes: 1 << 20, levelMultiplier: 10 });
 * if (p?.level !== 0 || p.inputs.length !== 4) throw new Error("expected an L0 compaction of 4 tables");
 * ```
 */
export function pickCompaction(
  v: Version,
  pointers: (Uint8Array | undefined)[],
  o: PickerOptions,
): CompactionPick | undefined {
  let best = -1;
  let bestScore = 1;
  const l0 = v.levels[0]!.length / o.l0Trigger;
  if (l0 >= bestScore) {
    best = 0;
    bestScore = l0;
  }
  for (let l = 1; l < NUM_LEVELS - 1; l++) {
    const s = v.levelBytes(l) / maxBytesForLevel(l, o);
    if (s > bestScore) {
      best = l;
      bestScore = s;
    }
  }
  if (best < 0) return undefined;
  let inputs: FileMeta[];
  if (best === 0) {
    inputs = [...v.levels[0]!];
  } else {
    const lv = v.levels[best]!;
    const ptr = pointers[best];
    const f = (ptr && lv.find((x) => compareBytes(x.largestKey, ptr) > 0)) ?? lv[0]!;
    inputs = [f];
  }
  const [lo, hi] = range(inputs);
  pointers[best] = hi;
  return {
    level: best,
    outputLevel: best + 1,
    inputs,
    nextInputs: v.overlapping(best + 1, lo, hi),
    reason: best === 0
      ? `L0 has ${inputs.length} tables (trigger ${o.l0Trigger})`
      : `L${best} holds ${v.levelBytes(best)} bytes (limit ${maxBytesForLevel(best, o)})`,
  };
}

/**
 * A manual full compaction: every table of every level, written to the deepest non-empty level (at
 * least 1), where tombstones can be dropped.
 */
export function pickFullCompaction(v: Version): CompactionPick | undefined {
  const all: FileMeta[] = [];
  let deepest = 1;
  v.levels.forEach((lv, l) => {
    if (lv.length > 0 && l > deepest) deepest = l;
    all.push(...lv);
  });
  if (all.length === 0) return undefined;
  return { level: 0, outputLevel: deepest, inputs: all, nextInputs: [], reason: "manual full compaction" };
}
