/**
 * Natural-language time windows ("last Tuesday", "in May 2023", "last year") resolved with chrono-node
 * against a reference time, in UTC. The window spans the most specific unit the text pins down: a
 * day, a week ("last week"), a month or a year.
 *
 * @module
 */
import * as chrono from "chrono-node";

/** A resolved window: `from` inclusive, `to` exclusive, ms since the epoch; `text` is what matched. */
export interface ResolvedWindow {
  from: number;
  to: number;
  text: string;
}

const DAY = 86_400_000;

/**
 * Finds the first time expression in `text` and returns its window, or undefined when there is none.
 *
 * @param text A phrase or a whole question.
 * @param now The reference time in ms (for "yesterday", "last Tuesday").
 * @returns The window, or undefined.
 *
 * @example
 * ```ts
 * import { resolveWhen } from "./time_window.ts";
 * const w = resolveWhen("in May 2023", Date.UTC(2023, 7, 15))!;
 * if (w.from !== Date.UTC(2023, 4, 1) || w.to !== Date.UTC(2023, 5, 1)) throw new Error(JSON.stringify(w));
 * ```
 */
export function resolveWhen(text: string, now: number): ResolvedWindow | undefined {
  const results = chrono.parse(text, { instant: new Date(now), timezone: 0 });
  const r = results[0];
  if (!r) {
    const m = /\b(1[89]\d\d|2[01]\d\d)\b/.exec(text);
    if (!m) return undefined;
    const y = Number(m[1]);
    return { from: Date.UTC(y, 0, 1), to: Date.UTC(y + 1, 0, 1), text: m[1]! };
  }
  const s = r.start;
  const y = s.get("year")!;
  const mo = s.get("month")!;
  const d = s.get("day")!;
  let from: number;
  let to: number;
  if (/\bweek(end)?s?\b/i.test(r.text)) {
    from = Date.UTC(y, mo - 1, d);
    to = from + 7 * DAY;
  } else if (s.isCertain("day") || s.isCertain("weekday") || !s.isCertain("month")) {
    if (!s.isCertain("day") && !s.isCertain("weekday") && s.isCertain("year")) {
      from = Date.UTC(y, 0, 1);
      to = Date.UTC(y + 1, 0, 1);
    } else {
      from = Date.UTC(y, mo - 1, d);
      to = from + DAY;
    }
  } else {
    from = Date.UTC(y, mo - 1, 1);
    to = Date.UTC(y, mo, 1);
  }
  if (r.end) {
    const e = r.end;
    to = Math.max(to, Date.UTC(e.get("year")!, e.get("month")! - 1, e.get("day")!) + DAY);
  }
  return { from, to, text: r.text };
}
