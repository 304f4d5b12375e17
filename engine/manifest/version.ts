/**
 * A version: the immutable set of live tables per level. Level 0 holds flushed memtables that may
 * overlap each other (kept newest first); levels 1+ hold tables with disjoint key ranges sorted by key.
 *
 * @module
 */
import { CorruptionError } from "../errors.ts";
import { compareBytes } from "../util/coding.ts";
import { NUM_LEVELS } from "./manifest_format.ts";
import type { FileMeta, VersionEdit } from "./version_edit.ts";

const dec = new TextDecoder();

/**
 * An immutable snapshot of the table layout.
 *
 * INVARIANT: for level >= 1, files are sorted by smallest key and `files[i].largestKey <
 * files[i+1].smallestKey`. Level 0 is sorted by file number descending.
 *
 * @example Apply an edit
 * ```ts
 * import { Version } from "./version.ts";
 * const k = (s: string) => new TextEncoder().encode(s);
 * const f = { number: 4, size: 10, smallestKey: k("a"), smallestSeq: 1, largestKey: k("c"), largestSeq: 2, entries: 2 };
 * const v = Version.empty().apply({ addFiles: [{ level: 1, file: f }] });
 * if (v.overlapping(1, k("b"), k("z")).length !== 1) throw new Error("expected an overlap");
 * ```
 */
export class Version {
  /** Files per level. Do not mutate. */
  readonly levels: readonly (readonly FileMeta[])[];

  private constructor(levels: FileMeta[][]) {
    this.levels = levels;
  }

  /** A version with no tables. */
  static empty(): Version {
    return new Version(Array.from({ length: NUM_LEVELS }, () => []));
  }

  /** A new version with the edit's deletions and additions applied. */
  apply(edit: VersionEdit): Version {
    const levels = this.levels.map((l) => [...l]);
    for (const d of edit.deleteFiles ?? []) {
      const lv = levels[d.level]!;
      const i = lv.findIndex((f) => f.number === d.number);
      if (i < 0) {
        throw new CorruptionError(`Cannot apply version edit: table ${d.number} is not in level ${d.level}`);
      }
      lv.splice(i, 1);
    }
    for (const a of edit.addFiles ?? []) levels[a.level]!.push(a.file);
    levels[0]!.sort((a, b) => b.number - a.number);
    for (let l = 1; l < levels.length; l++) {
      levels[l]!.sort((a, b) => compareBytes(a.smallestKey, b.smallestKey));
    }
    return new Version(levels);
  }

  /** Throws `CorruptionError` when levels 1+ overlap. */
  check(): void {
    for (let l = 1; l < this.levels.length; l++) {
      const lv = this.levels[l]!;
      for (let i = 1; i < lv.length; i++) {
        if (compareBytes(lv[i - 1]!.largestKey, lv[i]!.smallestKey) >= 0) {
          throw new CorruptionError(
            `Invalid version: tables ${lv[i - 1]!.number} and ${lv[i]!.number} overlap in level ${l}`,
          );
        }
      }
    }
  }

  /** Files of `level` whose user-key range intersects `[smallest, largest]`. */
  overlapping(level: number, smallest: Uint8Array, largest: Uint8Array): FileMeta[] {
    return this.levels[level]!.filter((f) =>
      compareBytes(f.largestKey, smallest) >= 0 && compareBytes(f.smallestKey, largest) <= 0
    );
  }

  /** The level >= 1 file that may hold `key`, by binary search, or undefined. */
  fileFor(level: number, key: Uint8Array): FileMeta | undefined {
    const lv = this.levels[level]!;
    let lo = 0;
    let hi = lv.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(lv[mid]!.largestKey, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    const f = lv[lo];
    return f && compareBytes(f.smallestKey, key) <= 0 ? f : undefined;
  }

  /** Total bytes of the tables in `level`. */
  levelBytes(level: number): number {
    let n = 0;
    for (const f of this.levels[level]!) n += f.size;
    return n;
  }

  /** Every live file number. */
  liveFiles(): Set<number> {
    const s = new Set<number>();
    for (const lv of this.levels) for (const f of lv) s.add(f.number);
    return s;
  }

  /** One line per table: `L1 000012 size=4096 ["a"@3 .. "k"@9]`. */
  toDebugString(): string {
    const lines: string[] = [];
    this.levels.forEach((lv, l) => {
      for (const f of lv) {
        lines.push(
          `L${l} ${String(f.number).padStart(6, "0")} size=${f.size} ` +
            `[${JSON.stringify(dec.decode(f.smallestKey))}@${f.smallestSeq} .. ` +
            `${JSON.stringify(dec.decode(f.largestKey))}@${f.largestSeq}]`,
        );
      }
    });
    return lines.join("\n");
  }
}
