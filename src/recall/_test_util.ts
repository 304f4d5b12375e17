/** Test helper: fails with both values, as JSON, when they differ. */
export function expectEqual(got: unknown, want: unknown, what = "value"): void {
  const g = JSON.stringify(got instanceof Map ? [...got] : got);
  const w = JSON.stringify(want instanceof Map ? [...want] : want);
  if (g !== w) throw new Error(`${what}: got ${g}, want ${w}`);
}

/** Rounds every number of a map to 6 decimals, to compare float sums. */
export function rounded(m: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...m].map(([k, v]) => [k, Math.round(v * 1e6) / 1e6]));
}
