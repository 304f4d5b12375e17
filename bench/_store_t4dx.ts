/**
 * T4DX behind the benchmark's {@linkcode BenchStore} face: `durability: "sync"` (every write resolves
 * after its WAL fsync; overlapping writes share one), default 4 MiB memtable and 64 MiB block cache.
 *
 * @module
 */
import { T4DX } from "../engine/db.ts";
import { WriteBatch } from "../engine/write_batch.ts";
import { type BenchStore, CACHE_BYTES, type Entry, type StoreFacts } from "./_store.ts";

/** Engine defaults the "compaction settled" check mirrors (engine/compaction/compaction_picker.ts). */
const L0_TRIGGER = 4;
const LEVEL_BASE_BYTES = 16 << 20;
const LEVEL_MULTIPLIER = 10;

/** Opens T4DX in `dir`. */
export async function openT4dx(dir: string): Promise<BenchStore> {
  const db = await T4DX.open(dir, { durability: "sync", blockCacheBytes: CACHE_BYTES });
  return {
    engine: "t4dx",
    concurrentWrites: true,
    maxBatch: Infinity,
    put: (k, v) => db.put(k, v),
    putMany: (entries: readonly Entry[]) => {
      const b = new WriteBatch();
      for (const [k, v] of entries) b.put(k, v);
      return db.write(b);
    },
    get: (k) => db.get(k),
    scan(start, limit) {
      let n = 0;
      const it = db.iterator({ gte: start });
      for (const _ of it) if (++n >= limit) break;
      it.close();
      return n;
    },
    async afterLoad(): Promise<StoreFacts> {
      await db.flush();
      const s = db.stats();
      const pending = s.immutableMemtable ||
        s.levels.some((l) =>
          l.level === 0
            ? l.files >= L0_TRIGGER
            : l.level < s.levels.length - 1 && l.bytes > LEVEL_BASE_BYTES * LEVEL_MULTIPLIER ** (l.level - 1)
        );
      return {
        write_amp: round(s.writeAmplification, 3),
        compaction_settled: !pending,
        flushes: s.flushes,
        compactions: s.compactions,
        levels: s.levels.filter((l) => l.files > 0).map((l) => `L${l.level}:${l.files}`).join(" "),
      };
    },
    close: () => db.close(),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
