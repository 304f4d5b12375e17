/**
 * SQLite (`node:sqlite`) behind the benchmark's {@linkcode BenchStore} face: one
 * `kv(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID` table, `journal_mode=WAL` and `synchronous=FULL`, so
 * every committed transaction fsyncs the WAL, as T4DX does. The API is synchronous, so overlapping
 * writes cannot share a commit.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { type BenchStore, CACHE_BYTES, type Entry, type StoreFacts } from "./_store.ts";

/**
 * Page size used unless the caller picks another. With SQLite's default 4 KiB pages a WITHOUT ROWID row
 * larger than ~1000 bytes spills into an overflow page, so a 1 KiB value costs a whole extra page per
 * row (about 5x the disk and 3-6x slower gets and loads, measured); 16 KiB pages hold such rows
 * inline and are SQLite's best setting for this data, so T4DX is compared with a well-tuned SQLite.
 */
export const SQLITE_PAGE_SIZE = 16384;

/** Opens SQLite in `dir` (file `kv.sqlite`). */
export function openSqlite(dir: string, pageSize: number = SQLITE_PAGE_SIZE): Promise<BenchStore> {
  const db = new DatabaseSync(`${dir}/kv.sqlite`);
  db.exec(`PRAGMA page_size=${pageSize}`);
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=FULL");
  db.exec(`PRAGMA cache_size=-${CACHE_BYTES >> 10}`);
  db.exec("CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID");
  const mode = db.prepare("PRAGMA synchronous").get() as { synchronous: number };
  if (mode.synchronous !== 2) throw new Error(`Cannot set SQLite synchronous=FULL: got ${mode.synchronous}`);
  const page = db.prepare("PRAGMA page_size").get() as { page_size: number };
  if (page.page_size !== pageSize) {
    throw new Error(`Cannot set SQLite page_size=${pageSize}: got ${page.page_size}`);
  }
  const put = db.prepare("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)");
  const get = db.prepare("SELECT v FROM kv WHERE k = ?");
  const scan = db.prepare("SELECT k, v FROM kv WHERE k >= ? ORDER BY k LIMIT ?");
  return Promise.resolve({
    engine: "sqlite",
    concurrentWrites: false,
    maxBatch: Infinity,
    put(k, v) {
      put.run(k, v);
    },
    putMany(entries: readonly Entry[]) {
      db.exec("BEGIN");
      try {
        for (const [k, v] of entries) put.run(k, v);
        db.exec("COMMIT");
      } catch (e) {
        db.exec("ROLLBACK");
        throw e;
      }
    },
    get: (k) => (get.get(k) as { v: Uint8Array } | undefined)?.v,
    scan: (start, limit) => scan.all(start, limit).length,
    afterLoad(): Promise<StoreFacts> {
      // Settle: fold the WAL into the database and truncate it, as T4DX's flush empties its memtable.
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      return Promise.resolve({});
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  });
}
