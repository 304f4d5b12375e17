/**
 * Deno KV (local SQLite backend) behind the benchmark's {@linkcode BenchStore} face. Keys are
 * `["k", key]`. Deno KV runs SQLite in WAL mode with its default `synchronous=FULL`, so each commit is
 * fsync'd; nothing about it can be tuned (its page cache stays at SQLite's default 2 MiB). One atomic
 * operation is limited to 1000 mutations and 800 KiB in total, so batches of 1 KiB values go in
 * commits of {@linkcode KV_MAX_BATCH}.
 *
 * @module
 */
import type { BenchStore, Entry, StoreFacts } from "./_store.ts";

/** Mutations per atomic commit: 500 x ~1 KiB stays under Deno KV's 800 KiB limit. */
export const KV_MAX_BATCH = 500;

/** Opens Deno KV in `dir` (file `kv.db`). */
export async function openDenoKv(dir: string): Promise<BenchStore> {
  const kv = await Deno.openKv(`${dir}/kv.db`);
  return {
    engine: "denokv",
    concurrentWrites: true,
    maxBatch: KV_MAX_BATCH,
    async put(k, v) {
      await kv.set(["k", k], v);
    },
    async putMany(entries: readonly Entry[]) {
      for (let i = 0; i < entries.length; i += KV_MAX_BATCH) {
        const op = kv.atomic();
        for (const [k, v] of entries.slice(i, i + KV_MAX_BATCH)) op.set(["k", k], v);
        const r = await op.commit();
        if (!r.ok) throw new Error("Cannot commit a Deno KV batch: the atomic operation failed");
      }
    },
    async get(k) {
      return (await kv.get<Uint8Array>(["k", k])).value ?? undefined;
    },
    async scan(start, limit) {
      let n = 0;
      for await (const _ of kv.list({ prefix: ["k"], start: ["k", start] }, { limit, batchSize: limit })) n++;
      return n;
    },
    afterLoad: (): Promise<StoreFacts> => Promise.resolve({}),
    close() {
      kv.close();
      return Promise.resolve();
    },
  };
}
