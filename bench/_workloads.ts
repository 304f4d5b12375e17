/**
 * The four workloads, each timed with `performance.now()` after a short untimed warm-up. They work on
 * any {@linkcode BenchStore} and await only what the engine returns as a promise.
 *
 * @module
 */
import { type Dataset, sameBytes } from "./_data.ts";
import type { BenchStore, Entry } from "./_store.ts";

/** Progress lines go here (stderr), never to stdout. */
export function log(msg: string): void {
  console.error(msg);
}

function perSec(ops: number, ms: number): number {
  return Math.round(ops / (ms / 1000));
}

/**
 * Durable single-key puts, one commit each, from one writer: `count` new keys (after `warmup`
 * untimed ones) with keys `base..`.
 *
 * @returns Puts per second.
 */
export async function putSync(
  s: BenchStore,
  data: Dataset,
  o: { count: number; warmup: number; base: number },
): Promise<number> {
  let i = o.base;
  for (const end = i + o.warmup; i < end; i++) {
    const r = s.put(data.key(i), data.value(i));
    if (r instanceof Promise) await r;
  }
  const t0 = performance.now();
  for (const end = i + o.count; i < end; i++) {
    const r = s.put(data.key(i), data.value(i));
    if (r instanceof Promise) await r;
  }
  return perSec(o.count, performance.now() - t0);
}

/**
 * The same puts from `writers` concurrent chains (each awaits its previous put), so an engine with
 * group commit can share one fsync between writers.
 *
 * @returns Puts per second over all writers.
 */
export async function putSyncConcurrent(
  s: BenchStore,
  data: Dataset,
  o: { count: number; writers: number; base: number },
): Promise<number> {
  const run = async (from: number, count: number) => {
    let next = from;
    const end = from + count;
    const chain = async () => {
      while (next < end) {
        const i = next++;
        await s.put(data.key(i), data.value(i));
      }
    };
    await Promise.all(Array.from({ length: o.writers }, chain));
  };
  await run(o.base, o.writers * 4); // warm-up
  const t0 = performance.now();
  await run(o.base + o.writers * 4, o.count);
  return perSec(o.count, performance.now() - t0);
}

/**
 * Loads keys `order[0..]` in durable batches of `batch` puts.
 *
 * @returns Puts per second and the load time.
 */
export async function putBatch(
  s: BenchStore,
  data: Dataset,
  o: { order: Uint32Array; batch: number },
): Promise<{ opsPerSec: number; ms: number }> {
  const n = o.order.length;
  const t0 = performance.now();
  let nextReport = t0 + 10_000;
  for (let at = 0; at < n; at += o.batch) {
    const entries: Entry[] = [];
    for (let j = at; j < Math.min(n, at + o.batch); j++) {
      const i = o.order[j]!;
      entries.push([data.key(i), data.value(i)]);
    }
    const r = s.putMany(entries);
    if (r instanceof Promise) await r;
    const now = performance.now();
    if (now >= nextReport) {
      const done = Math.min(n, at + o.batch);
      log(`  ${s.engine} load: ${done}/${n} keys, ${perSec(done, now - t0)} puts/s`);
      nextReport = now + 10_000;
    }
  }
  const ms = performance.now() - t0;
  return { opsPerSec: perSec(n, ms), ms };
}

/**
 * Point gets of existing keys picked uniformly from `0..n-1` (a different pick for each `pass`). Checks
 * a sample against the expected values first and counts misses, so an engine cannot win by returning
 * nothing.
 *
 * @returns Gets per second.
 * @throws {Error} A sampled value is wrong or a key is missing.
 */
export async function getRandom(
  s: BenchStore,
  data: Dataset,
  o: { n: number; count: number; pass: number },
): Promise<number> {
  const salt = 100 * o.pass;
  for (const i of data.picks(200, o.n, salt + 11)) {
    let v = s.get(data.key(i));
    if (v instanceof Promise) v = await v;
    if (!v || !sameBytes(v, data.value(i))) throw new Error(`${s.engine}: wrong value for key ${i}`);
  }
  for (const i of data.picks(Math.min(1000, o.count), o.n, salt + 12)) {
    const r = s.get(data.key(i));
    if (r instanceof Promise) await r;
  }
  const keys = Array.from(data.picks(o.count, o.n, salt + 13), (i) => data.key(i));
  let misses = 0;
  let bytes = 0;
  const t0 = performance.now();
  for (const k of keys) {
    let v = s.get(k);
    if (v instanceof Promise) v = await v;
    if (v) bytes += v.length;
    else misses++;
  }
  const ms = performance.now() - t0;
  if (misses > 0) throw new Error(`${s.engine}: ${misses} of ${o.count} gets missed (${bytes} bytes read)`);
  return perSec(o.count, ms);
}

/**
 * Range scans of `len` consecutive keys from random existing start keys (different for each `pass`).
 *
 * @returns Keys read per second.
 * @throws {Error} A scan returned fewer keys than asked.
 */
export async function scanRandom(
  s: BenchStore,
  data: Dataset,
  o: { n: number; count: number; len: number; pass: number },
): Promise<number> {
  const salt = 100 * o.pass;
  const span = Math.max(1, o.n - o.len);
  for (const i of data.picks(Math.min(100, o.count), span, salt + 21)) {
    const r = s.scan(data.key(i), o.len);
    if (r instanceof Promise) await r;
  }
  const starts = Array.from(data.picks(o.count, span, salt + 22), (i) => data.key(i));
  let keys = 0;
  const t0 = performance.now();
  for (const k of starts) {
    let got = s.scan(k, o.len);
    if (got instanceof Promise) got = await got;
    keys += got;
  }
  const ms = performance.now() - t0;
  const want = o.count * Math.min(o.len, o.n);
  if (keys !== want) throw new Error(`${s.engine}: scans read ${keys} keys, expected ${want}`);
  return perSec(keys, ms);
}
