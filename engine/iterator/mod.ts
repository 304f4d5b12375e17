/**
 * Iterators over internal entries and the user-facing cursor built on them: `ArrayIterator` (a sorted
 * array), `LevelIterator` (the tables of one level), `MergingIterator` (many sorted streams into one) and
 * `DbIterator` (one version per user key as of a snapshot, within bounds).
 *
 * @example Merge two runs and read them at a snapshot
 * ```ts
 * import { ArrayIterator, DbIterator, MergingIterator } from "./mod.ts";
 * import { type InternalEntry, TYPE_VALUE } from "../keys.ts";
 * const e = (k: number, seq: number): InternalEntry => ({ key: new Uint8Array([k]), seq, type: TYPE_VALUE, value: new Uint8Array([seq]) });
 * const merged = new MergingIterator([new ArrayIterator([e(1, 1), e(2, 4)]), new ArrayIterator([e(1, 3)])]);
 * const got = [...new DbIterator(merged, { snapshotSeq: 3 })].map(([k, v]) => `${k[0]}@${v[0]}`);
 * if (got.join() !== "1@3") throw new Error(`got ${got}`);
 * ```
 *
 * @module
 */
export { ArrayIterator } from "./array_iterator.ts";
export { DbIterator, type DbIteratorOptions } from "./db_iterator.ts";
export { LevelIterator } from "./level_iterator.ts";
export { MergingIterator } from "./merging_iterator.ts";
