/**
 * Temporal cues: the dates a query names ("in July 2023", "on 3 June, 2023", "last year", "2022") as
 * time ranges, and how close a memory's event time is to them.
 *
 * Dates are found by `chrono-node` relative to the query's reference time ("now"), plus bare years that
 * chrono leaves alone. A cue's range is the smallest calendar unit the text pins down: a day, a month or a
 * year; a weekday-only cue ("last weekend") spans the week around the day chrono picks. Time-of-day words
 * with no date ("tonight", "opening night") are not cues. All arithmetic is in UTC: pass times that are
 * already local.
 *
 * @module
 */
import * as chrono from "chrono-node";

const DAY_MS = 86_400_000;

/** A date named in a query, as a half-open range of event times. */
export interface TimeCue {
  /** The words of the query that name it. */
  text: string;
  /** Where `text` starts in the query, in UTF-16 units. */
  index: number;
  /** The range's start, ms since the Unix epoch, inclusive. */
  startMs: number;
  /** The range's end, ms since the Unix epoch, exclusive. INVARIANT: `endMs > startMs`. */
  endMs: number;
}

/**
 * Finds the dates a query names.
 *
 * @param text The query.
 * @param now The reference time for relative expressions, ms since the Unix epoch (UTC).
 * @returns The cues in text order; `[]` if the query names no date.
 *
 * @example A month and a year
 * ```ts
 * import { findTimeCues } from "./temporal_cues.ts";
 * const [cue] = findTimeCues("What did she paint in July 2023?", Date.UTC(2023, 9, 1));
 * const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
 * if (cue?.text !== "July 2023" || iso(cue.startMs) !== "2023-07-01" || iso(cue.endMs) !== "2023-08-01") {
 *   throw new Error(JSON.stringify(cue));
 * }
 * ```
 */
export function findTimeCues(text: string, now: number): TimeCue[] {
  const out: TimeCue[] = [];
  for (const r of chrono.parse(text, new Date(now))) {
    const d = r.start.date();
    const y = d.getUTCFullYear(), m = d.getUTCMonth(), day = d.getUTCDate();
    let startMs: number, endMs: number;
    if (r.start.isCertain("day")) [startMs, endMs] = [Date.UTC(y, m, day), Date.UTC(y, m, day + 1)];
    else if (r.start.isCertain("month")) [startMs, endMs] = [Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1)];
    else if (r.start.isCertain("year")) [startMs, endMs] = [Date.UTC(y, 0, 1), Date.UTC(y + 1, 0, 1)];
    else if (r.start.isCertain("weekday")) {
      [startMs, endMs] = [Date.UTC(y, m, day - 3), Date.UTC(y, m, day + 4)];
    } else continue;
    if (r.end) {
      endMs = Math.max(
        endMs,
        Date.UTC(r.end.date().getUTCFullYear(), r.end.date().getUTCMonth(), r.end.date().getUTCDate() + 1),
      );
    }
    out.push({ text: r.text, index: r.index, startMs, endMs });
  }
  for (const m of text.matchAll(/\b(?:19|20)\d{2}\b/g)) {
    const at = m.index;
    if (out.some((c) => at >= c.index && at < c.index + c.text.length)) continue;
    const y = Number(m[0]);
    out.push({ text: m[0], index: at, startMs: Date.UTC(y, 0, 1), endMs: Date.UTC(y + 1, 0, 1) });
  }
  return out.sort((a, b) => a.index - b.index);
}

/** Options of {@linkcode temporalProximity}. */
export interface TemporalProximityOptions {
  /**
   * How fast closeness decays outside a cue's range: `exp(−distance / scaleMs)`. A week suits
   * conversations, where an event is usually told within days of happening; LoCoMo is flat within
   * ±0.5 point of recall@10 from 7 to 30 days (see `bench/LOCOMO_NOTES.md`).
   *
   * @default {604800000} (7 days)
   */
  scaleMs?: number;
}

/**
 * How well an event time matches the cues: 1 inside a cue's range, decaying exponentially with the
 * distance to the nearest range outside; the best cue counts. 0 when there are no cues.
 *
 * @param eventTime The memory's event time, ms since the Unix epoch.
 * @param cues From {@linkcode findTimeCues}.
 * @param options The decay scale.
 * @returns A closeness in [0, 1].
 *
 * @example
 * ```ts
 * import { temporalProximity } from "./temporal_cues.ts";
 * const cue = { text: "May 2023", index: 0, startMs: Date.UTC(2023, 4, 1), endMs: Date.UTC(2023, 5, 1) };
 * const inside = temporalProximity(Date.UTC(2023, 4, 20), [cue]);
 * const weekLate = temporalProximity(Date.UTC(2023, 5, 8), [cue]);
 * if (inside !== 1 || Math.abs(weekLate - Math.exp(-1)) > 1e-12) throw new Error(`${inside} ${weekLate}`);
 * ```
 */
export function temporalProximity(
  eventTime: number,
  cues: readonly TimeCue[],
  options: TemporalProximityOptions = {},
): number {
  const scale = options.scaleMs ?? 7 * DAY_MS;
  let best = 0;
  for (const c of cues) {
    const d = eventTime < c.startMs ? c.startMs - eventTime : eventTime >= c.endMs ? eventTime - c.endMs : 0;
    best = Math.max(best, Math.exp(-d / scale));
  }
  return best;
}

/**
 * Removes the cues' words from a query, with a preposition left dangling before them ("in", "on",
 * "during", "of", "since", "from", "around"), so the words that name a date do not also have to match a
 * memory's text.
 *
 * @param text The query the cues were found in.
 * @param cues From {@linkcode findTimeCues} on the same text.
 * @returns The query without them, whitespace collapsed.
 *
 * @example
 * ```ts
 * import { findTimeCues, stripTimeCues } from "./temporal_cues.ts";
 * const q = "What did she paint in July 2023?";
 * const got = stripTimeCues(q, findTimeCues(q, Date.UTC(2023, 9, 1)));
 * if (got !== "What did she paint?") throw new Error(got);
 * ```
 */
export function stripTimeCues(text: string, cues: readonly TimeCue[]): string {
  let out = text;
  for (const c of [...cues].sort((a, b) => b.index - a.index)) {
    const before = out.slice(0, c.index).replace(/\b(?:in|on|during|of|since|from|around)\s*$/i, "");
    out = before + out.slice(c.index + c.text.length);
  }
  return out.replace(/\s+/g, " ").replace(/\s+([?.!,;:])/g, "$1").trim();
}
