/**
 * Child process of `index_crash_test.ts`: writes batches of records with text, vectors and times into
 * an indexed collection and prints `ACK <b>` after each `put` resolves, until it is killed. Batch `b`
 * holds records `r<b>-<i>` whose content depends only on `b` and `i`, and from batch 5 on also deletes
 * the records of batch `b - 5` when `b % 3 === 0`. A `next` record in collection "meta" says where to
 * resume; the acknowledgement is printed only after the put, the delete and `next` are all durable.
 *
 * Usage: deno run -A index_writer_child.ts DIR
 *
 * @module
 */
import { IndexedStore } from "../../engine/indexes/indexed_store.ts";
import { mulberry32 } from "../../engine/util/rng.ts";

export const DIM = 16;
const WORDS = "river stone cloud lamp violin garden copper winter harbor maple signal orbit".split(" ");

/** The records of batch `b`. */
export function batchRecords(
  b: number,
): { id: string; text: string; vector: Float32Array; eventTime: number }[] {
  const n = 1 + (b % 4);
  return Array.from({ length: n }, (_, i) => {
    const text = `${WORDS[(b + i) % WORDS.length]} ${WORDS[(b * 7 + i * 3) % WORDS.length]} b${b}`;
    const rng = mulberry32(b * 1009 + i);
    const vector = new Float32Array(DIM).map(() => rng() * 2 - 1);
    return { id: `r${b}-${i}`, text, vector, eventTime: b * 1000 + i };
  });
}

/** Ids that batch `b` deletes. */
export function batchDeletes(b: number): string[] {
  return b >= 5 && b % 3 === 0 ? batchRecords(b - 5).map((r) => r.id) : [];
}

if (import.meta.main) {
  const dir = Deno.args[0]!;
  const store = await IndexedStore.open(dir, {
    memtableBytes: 64 << 10,
    l0CompactionTrigger: 2,
    persistEvery: 40,
  });
  const c = await store.collection("c", { dim: DIM });
  const meta = await store.collection("meta");
  const next = meta.get("next");
  let b = next ? Number(new TextDecoder().decode(next.payload)) : 0;
  const enc = new TextEncoder();
  for (;; b++) {
    await c.put(batchRecords(b).map((r) => ({ ...r, recordTime: b, payload: enc.encode(r.id) })));
    const del = batchDeletes(b);
    if (del.length) await c.delete(del);
    await meta.put([{ id: "next", eventTime: 0, recordTime: 0, payload: enc.encode(String(b + 1)) }]);
    console.log(`ACK ${b}`);
  }
}
