/**
 * LevelDB (`classic-level`) behind the benchmark's {@linkcode BenchStore} face: every write with
 * `{ sync: true }` (fdatasync of the log before it resolves; LevelDB's writer queue lets overlapping
 * writes share one), 4 MiB write buffer (as T4DX's memtable) and the same block cache as T4DX.
 * Snappy compression stays at LevelDB's default (on); the values are incompressible.
 *
 * @module
 */
import type { ClassicLevel } from "classic-level";
import { type BenchStore, CACHE_BYTES, type Entry, type StoreFacts } from "./_store.ts";

const SYNC = { sync: true };

/**
 * Loads `classic-level` and returns an opener, or the reason it cannot be loaded.
 *
 * @returns The opener, or a string saying why LevelDB is skipped.
 */
export async function loadLevelDb(): Promise<((dir: string) => Promise<BenchStore>) | string> {
  let Level: typeof ClassicLevel;
  try {
    ({ ClassicLevel: Level } = await import("classic-level"));
  } catch (e) {
    return `classic-level failed to load: ${e instanceof Error ? e.message : String(e)}`;
  }
  return (dir) => openLevelDb(Level, dir);
}

async function openLevelDb(Level: typeof ClassicLevel, dir: string): Promise<BenchStore> {
  const db = new Level<Uint8Array, Uint8Array>(dir, {
    keyEncoding: "view",
    valueEncoding: "view",
    cacheSize: CACHE_BYTES,
    writeBufferSize: 4 << 20,
  });
  await db.open();
  let userBytes = 0;
  return {
    engine: "leveldb",
    concurrentWrites: true,
    maxBatch: Infinity,
    put(k, v) {
      userBytes += k.length + v.length;
      return db.put(k, v, SYNC);
    },
    putMany(entries: readonly Entry[]) {
      const ops = entries.map(([key, value]) => {
        userBytes += key.length + value.length;
        return { type: "put" as const, key, value };
      });
      return db.batch(ops, SYNC);
    },
    get: (k) => db.getSync(k),
    async scan(start, limit) {
      const it = db.iterator({ gte: start, limit, highWaterMarkBytes: 256 << 10 });
      return (await it.all()).length;
    },
    afterLoad(): Promise<StoreFacts> {
      // leveldb.stats: one row per level, the last column is MB written by flushes and compactions.
      const stats = db.getProperty("leveldb.stats");
      let writtenMb = 0;
      const levels: string[] = [];
      for (const line of stats.split("\n")) {
        const m = /^\s*(\d+)\s+(\d+)\s+\d+\s+\d+\s+\d+\s+(\d+)\s*$/.exec(line);
        if (!m) continue;
        writtenMb += Number(m[3]);
        if (Number(m[2]) > 0) levels.push(`L${m[1]}:${m[2]}`);
      }
      // The log gets every user byte once; tables get what the stats say (rounded to whole MB).
      const wa = userBytes === 0 ? 0 : 1 + writtenMb * 1048576 / userBytes;
      return Promise.resolve({ write_amp: Math.round(wa * 1000) / 1000, levels: levels.join(" ") });
    },
    close: () => db.close(),
  };
}
