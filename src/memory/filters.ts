/**
 * Recall filters on session, kinds, tags and metadata (eq, in, range).
 *
 * @module
 */
import type { Memory } from "./schema.ts";

/** The filter part of recall options (already validated). */
export interface FilterOptions {
  session?: string | undefined;
  kinds?: readonly string[] | undefined;
  tags?: readonly string[] | undefined;
  metadata?: Record<string, unknown> | undefined;
}

function cmp(a: unknown, b: unknown): number | undefined {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Whether `m` passes every filter.
 *
 * @example
 * ```ts
 * import { matchesFilters } from "./filters.ts";
 * const m = { session: "s1", kind: "episodic", tags: ["a", "b"], metadata: { n: 3 } } as never;
 * if (!matchesFilters(m, { tags: ["a"], metadata: { n: { gte: 2, lt: 4 } } })) throw new Error("should pass");
 * if (matchesFilters(m, { metadata: { n: { in: [1, 2] } } })) throw new Error("should fail");
 * ```
 */
export function matchesFilters(m: Memory, o: FilterOptions): boolean {
  if (o.session !== undefined && m.session !== o.session) return false;
  if (o.kinds && o.kinds.length > 0 && !o.kinds.includes(m.kind)) return false;
  if (o.tags) { for (const t of o.tags) if (!m.tags.includes(t)) return false; }
  if (o.metadata) {
    for (const [field, cond] of Object.entries(o.metadata)) {
      const v = m.metadata[field];
      const c = cond as Record<string, unknown>;
      if ("eq" in c && !same(v, c.eq)) return false;
      if ("in" in c && !(c.in as unknown[]).some((x) => same(v, x))) return false;
      for (const op of ["gt", "gte", "lt", "lte"] as const) {
        if (!(op in c) || c[op] === undefined) continue;
        const d = cmp(v, c[op]);
        if (d === undefined) return false;
        if (
          (op === "gt" && !(d > 0)) || (op === "gte" && !(d >= 0)) || (op === "lt" && !(d < 0)) ||
          (op === "lte" && !(d <= 0))
        ) {
          return false;
        }
      }
    }
  }
  return true;
}
