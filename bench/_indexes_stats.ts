/**
 * Small measuring helpers of the index benchmark: latency percentiles, rounding, RSS, progress lines.
 *
 * @module
 */

/** Progress lines go here (stderr), never to stdout. */
export function log(msg: string): void {
  console.error(msg);
}

/** Rounds to `digits` decimals (3 by default), for the report. */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The nearest-rank `p`-quantile (p in (0, 1]) of `xs`; NaN when empty. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length, Math.max(1, Math.ceil(p * s.length))) - 1]!;
}

/** p50 and p99 of latencies in ms, rounded. */
export function latency(ms: readonly number[]): { p50_ms: number; p99_ms: number } {
  return { p50_ms: round(percentile(ms, 0.5)), p99_ms: round(percentile(ms, 0.99)) };
}

/** The process's resident set size in MiB. */
export function rssMb(): number {
  return Math.round(Deno.memoryUsage().rss / 1048576);
}

/** Logs progress of a long loop about every tenth of the way. */
export function progress(what: string, total: number): (done: number) => void {
  const t0 = performance.now();
  const step = Math.max(1, Math.ceil(total / 10));
  let next = step;
  return (done) => {
    if (done < next && done !== total) return;
    next = done + step;
    const s = (performance.now() - t0) / 1000;
    log(`  ${what}: ${done}/${total} in ${s.toFixed(1)} s (${Math.round(done / s)}/s)`);
  };
}
