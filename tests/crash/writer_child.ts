/**
 * The process the crash suite kills. `deno run -A writer_child.ts <dir> <seed>` opens the store in
 * `<dir>`, reads `meta/next` (the number of the next batch to write, 0 in a new store) and writes batch
 * after batch until killed, printing `ACK <b>` on stdout once `db.write()` of batch `b` has resolved.
 *
 * Batch contents depend only on the batch number (see {@linkcode batchSpec}), never on the seed or the
 * run, so the checker can rebuild the whole expected store from `meta/next` alone, and a batch lost in
 * one run and written again by the next is the same batch. The seed picks how the run writes:
 * durability, how many batches are in flight at once, and when to ask for a manual compaction.
 *
 * stdout protocol (one line each, written synchronously so a line printed is a line the parent can
 * read after a SIGKILL):
 *
 * | line              | meaning                                                       |
 * |-------------------|---------------------------------------------------------------|
 * | `OPEN <next>`     | the store opened; writing resumes at batch `next`             |
 * | `OPEN_FAILED <m>` | `T4DX.open` threw; the process exits with status 3            |
 * | `ACK <b> <f> <c>` | `db.write()` of batch `b` resolved; `f` is 1 while a flush is |
 * |                   | pending, `c` counts compactions finished by this process       |
 * | `WRITE_FAILED <m>`| a write or compaction rejected; the process exits with status 4 |
 *
 * @module
 */
import { T4DX } from "../../engine/db.ts";
import { mulberry32 } from "../../engine/util/rng.ts";
import { crc32c } from "../../engine/util/crc32c.ts";
import { WriteBatch } from "../../engine/write_batch.ts";

/** Key under which every batch stores the number of the batch after it. */
export const NEXT_KEY = "meta/next";

/** What batch `b` writes: its puts (keys `k/<b>/<i>`) and the older batches whose keys it deletes. */
export interface BatchSpec {
  /** The batch number. */
  b: number;
  /** Keys and values put, besides `meta/next`. */
  puts: [string, string][];
  /** Batches (all older than `b`) every key of which this batch deletes. */
  deletes: number[];
}

const enc = new TextEncoder();
const FILL = "abcdefghijklmnopqrstuvwxyz0123456789";

/** The key of put `i` of batch `b`; batch numbers are zero-padded so keys sort by batch. */
export function batchKey(b: number, i: number): string {
  return `k/${String(b).padStart(8, "0")}/${i}`;
}

/** Splits a key made by {@linkcode batchKey}; undefined for any other key. */
export function parseBatchKey(key: string): { b: number; i: number } | undefined {
  const m = /^k\/(\d{8})\/(\d+)$/.exec(key);
  return m ? { b: Number(m[1]), i: Number(m[2]) } : undefined;
}

/** Number of puts of batch `b` (1 to 6), without building its values. */
export function putCount(b: number): number {
  return 1 + Math.floor(mulberry32(b * 7919 + 17)() * 6);
}

/**
 * The contents of batch `b`, a pure function of `b`. Values are 24 to ~1500 bytes: the batch number,
 * the index, filler, and a CRC-32C of everything before it, so any stored value can be checked alone.
 *
 * @param b The batch number, >= 0.
 * @returns The puts and the deleted batches.
 *
 * @example Contents are a function of the batch number
 * ```ts
 * import { batchSpec, putCount } from "./writer_child.ts";
 * const a = batchSpec(42), b = batchSpec(42);
 * if (JSON.stringify(a) !== JSON.stringify(b) || a.puts.length !== putCount(42)) throw new Error("not pure");
 * ```
 */
export function batchSpec(b: number): BatchSpec {
  const rng = mulberry32(b * 2654435761 + 12345);
  const n = putCount(b);
  const puts: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    const len = rng() < 0.2 ? 600 + Math.floor(rng() * 900) : 10 + Math.floor(rng() * 200);
    const start = Math.floor(rng() * FILL.length);
    let fill = "";
    while (fill.length < len) fill += FILL;
    const body = `b=${b};i=${i};n=${n};${fill.slice(start, start + len)}`;
    puts.push([batchKey(b, i), `${body};crc=${crc32c(enc.encode(body)).toString(16)}`]);
  }
  const deletes: number[] = [];
  if (b >= 10 && rng() < 0.15) deletes.push(b - 1 - Math.floor(rng() * Math.min(b - 1, 200)));
  return { b, puts, deletes };
}

/** Builds the write batch of batch `b`: its puts, its deletes and `meta/next = b + 1`. */
export function buildBatch(b: number): WriteBatch {
  const spec = batchSpec(b);
  const wb = new WriteBatch();
  for (const [k, v] of spec.puts) wb.put(k, v);
  for (const d of spec.deletes) for (let i = 0; i < putCount(d); i++) wb.delete(batchKey(d, i));
  return wb.put(NEXT_KEY, String(b + 1));
}

function say(line: string): void {
  const data = enc.encode(line + "\n");
  let off = 0;
  while (off < data.length) off += Deno.stdout.writeSync(data.subarray(off));
}

async function main(dir: string, seed: number): Promise<void> {
  const rng = mulberry32(seed);
  const interval = rng() < 0.25;
  const inFlight = 1 + Math.floor(rng() * 4);
  let db: T4DX;
  try {
    db = await T4DX.open(dir, {
      durability: interval ? { intervalMs: 5 + Math.floor(rng() * 30) } : "sync",
      memtableBytes: 64 << 10,
      l0CompactionTrigger: 2 + Math.floor(rng() * 3),
      levelBaseBytes: 256 << 10,
      levelMultiplier: 4,
      targetFileBytes: 64 << 10,
      onBackgroundError: (e) => {
        say(`WRITE_FAILED background: ${String(e).replaceAll("\n", " ")}`);
        Deno.exit(4);
      },
    });
  } catch (e) {
    say(`OPEN_FAILED ${String(e).replaceAll("\n", " ")}`);
    Deno.exit(3);
  }
  const next = Number(db.getString(NEXT_KEY) ?? "0");
  say(`OPEN ${next}`);
  const failed = (e: unknown): never => {
    say(`WRITE_FAILED ${String(e).replaceAll("\n", " ")}`);
    Deno.exit(4);
  };
  const compactEvery = 100 + Math.floor(rng() * 300);
  let b = next;
  let compacting = false;
  const writeOne = async (): Promise<void> => {
    for (;;) {
      const mine = b++;
      await db.write(buildBatch(mine)).catch(failed);
      const s = db.stats();
      say(`ACK ${mine} ${s.immutableMemtable ? 1 : 0} ${s.compactions}`);
      // One manual compaction at a time: overlapping compact() calls are not what this test is about.
      if (mine % compactEvery === compactEvery - 1 && !compacting) {
        compacting = true;
        void db.compact().catch(failed).finally(() => compacting = false);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, writeOne));
}

if (import.meta.main) {
  const [dir, seed] = Deno.args;
  if (dir === undefined) {
    console.error("usage: writer_child.ts <dir> [seed]");
    Deno.exit(2);
  }
  await main(dir, Number(seed ?? "1"));
}
